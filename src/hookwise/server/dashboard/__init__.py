"""The web dashboard at ``/``: three static files, shipped inside the package.

``index.html``, ``style.css`` and ``app.js`` load nothing from anywhere
but the aggregator itself (no CDN, no web fonts: it works offline), and
the Content-Security-Policy sent with them makes a browser refuse
anything else. The page asks for a token, keeps it in ``sessionStorage``
(gone when the tab closes; never in the URL or ``localStorage``), reads
``/api/v1/portfolio`` and ``/api/v1/repos/{repo}/days``, and follows
``/api/v1/live``. Paths in the page are relative, so the dashboard also
works behind a proxy that serves the aggregator under a sub-path.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

# Only these files are served: a fixed table, so no request path reaches the file system.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A new hookwise must reach browsers at once; the files are a few KB.
    "Cache-Control": "no-cache",
}


def read(name: str) -> bytes:
    """The packaged file ``name`` (one of ``FILES``)."""
    return resources.files(__name__).joinpath(name).read_bytes()


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/")
    def index() -> Response:
        return Response(read("index.html"), media_type=FILES["index.html"], headers=HEADERS)

    @routes.get("/dashboard/{name}")
    def asset(name: str) -> Response:
        if name not in FILES:
            raise HTTPException(404, f"the dashboard has no file {name!r}")
        return Response(read(name), media_type=FILES[name], headers=HEADERS)

    return routes
