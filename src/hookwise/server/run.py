"""``hookwise serve``: answer HTTP until stopped, on a database whose schema is current."""

from __future__ import annotations

from sqlalchemy import Engine


def serve(engine: Engine, *, host: str, port: int) -> None:
    """Run the aggregator over ``engine`` on ``host``:``port`` (uvicorn) until interrupted."""
    import uvicorn

    from hookwise.server.app import create_app

    uvicorn.run(create_app(engine), host=host, port=port, log_level="info")
