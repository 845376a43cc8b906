"""``hookwise serve``: answer HTTP until stopped, on a database whose schema is current.

One process serves a team; ``workers`` above one starts that many uvicorn
worker processes on one port, for a database several processes can share
(PostgreSQL). Each worker builds its own application and engine from
``DB_ENV`` (``app_from_environment``): an engine's connections cannot cross
a fork. SQLite is refused for several workers, since its one writer would
make them queue on a file lock (30 s busy timeout) rather than run side by
side.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from hookwise.errors import UsageError

if TYPE_CHECKING:
    from fastapi import FastAPI

#: The database URL, as ``hookwise serve --db``; how the workers learn it.
DB_ENV = "HOOKWISE_SERVER_DB"


def serve(engine: Engine, *, host: str, port: int, workers: int = 1) -> None:
    """Run the aggregator over ``engine`` on ``host``:``port`` (uvicorn) until interrupted."""
    import uvicorn

    if workers < 1:
        raise UsageError(f"the number of workers must be at least 1, not {workers}")
    if workers == 1:
        from hookwise.server.app import create_app

        uvicorn.run(create_app(engine), host=host, port=port, log_level="info")
        return
    if engine.dialect.name == "sqlite":
        raise UsageError(
            f"SQLite serves one process, not {workers}: its single writer would make them "
            "queue; use a PostgreSQL database for several workers"
        )
    os.environ[DB_ENV] = engine.url.render_as_string(hide_password=False)
    uvicorn.run(
        "hookwise.server.run:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
    )


def app_from_environment() -> FastAPI:
    """A worker's application, over its own engine for the URL in ``DB_ENV``."""
    from hookwise.server import database
    from hookwise.server.app import create_app

    return create_app(database.engine_for(os.environ[DB_ENV]))
