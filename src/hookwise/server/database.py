"""Engines for a database URL, the default SQLite file, and schema upgrades by Alembic.

SQLite needs no set-up, so it is the default (a file in hookwise's state
folder); it runs in WAL mode so that readers never wait for the one writer,
with a 30 s busy timeout so that concurrent pushes queue rather than fail.
PostgreSQL is for deployments (several processes, Grafana): a
``postgresql://`` URL is driven by psycopg 3 whatever driver it names.

``upgrade`` brings the schema to the newest Alembic revision shipped in
``migrations/``; ``hookwise serve`` calls it on every start, and on
PostgreSQL it holds an advisory lock so that processes starting together
upgrade one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from hookwise.errors import AggregatorDatabaseError, UsageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_FILE = "aggregator.db"
BUSY_TIMEOUT_MS = 30_000


def default_url() -> str:
    """A SQLite file in hookwise's state folder (``HOOKWISE_STATE_DIR``, else ~/.local/state)."""
    from hookwise.capture.locations import state_dir

    return f"sqlite:///{state_dir() / DEFAULT_FILE}"


def parse_url(url: str) -> URL:
    """``url`` as SQLAlchemy reads it, PostgreSQL on psycopg 3; ``UsageError`` when unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(
            f"{url!r} is not a database URL; use sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST/DATABASE"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise UsageError(f"the database {url!r} is {backend}; hookwise serves SQLite or PostgreSQL")
    return parsed


def engine_for(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, and the file runs in WAL mode."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


@contextmanager
def reachable(engine: Engine) -> Iterator[None]:
    """Turn "cannot connect" into ``AggregatorDatabaseError``, naming the database."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        raise AggregatorDatabaseError(
            f"cannot use the database {where}: {reason}; check that it runs and that the "
            "URL, user and password are right"
        ) from None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with reachable(engine), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def revision(engine: Engine) -> str | None:
    """The schema's current Alembic revision (None on an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
