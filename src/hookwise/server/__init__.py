"""The aggregator (``hookwise serve``): a team's day summaries and fix patterns, over HTTP.

A face beside ``cli``: FastAPI over SQLAlchemy (SQLite by default,
PostgreSQL by URL), schema by Alembic, bearer tokens stored hashed and
scoped to a team (and optionally one repository). It reads payloads through
``hookwise.sync.wire``, the models the sync client writes, and never imports
the store, the embedder, LanceDB or pygit2: it knows repositories only by
what they send. ``docs/aggregator.md`` describes a deployment.

    models      the tables (SQLAlchemy 2 declarative)
    database    engines for a URL, the default SQLite file, Alembic upgrades
    tokens      create, look up, list and revoke tokens
    ingest      the idempotent upsert of a batch
    queries     portfolio, health, patterns and their export
    metrics     the Prometheus exposition
    app         the FastAPI application and its routes
    run         ``serve``: upgrade the schema, then run uvicorn

Nothing here is imported by the CLI until ``require_extra`` has checked that
the ``server`` extra is installed.
"""

from __future__ import annotations

import importlib.util

from hookwise.errors import ExtraMissingError

#: The import names of the ``server`` extra's packages.
EXTRA_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "prometheus_client")


def require_extra(what: str = "the aggregator") -> None:
    """Raise ``ExtraMissingError`` (with the install command) unless the extra is installed."""
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise ExtraMissingError("server", what)
