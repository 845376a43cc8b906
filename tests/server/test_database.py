"""Engines, URLs and the Alembic schema."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from hookwise.errors import AggregatorDatabaseError, UsageError
from hookwise.server import database
from hookwise.server.models import Base


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert database.revision(engine) == "0001"
    database.upgrade(engine)  # a second start changes nothing
    assert database.revision(engine) == "0001"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = database.engine_for(f"sqlite:///{tmp_path / 'deep' / 'agg.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_postgres_urls_use_psycopg_and_other_databases_are_refused() -> None:
    assert database.parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert database.parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(UsageError, match="mysql"):
        database.parse_url("mysql://u@h/db")
    with pytest.raises(UsageError, match="not a database URL"):
        database.parse_url("just words")


def test_an_unreachable_database_is_one_clear_error() -> None:
    from tests.server.conftest import free_port

    engine = database.engine_for(f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    with pytest.raises(AggregatorDatabaseError, match="cannot use the database"):
        database.upgrade(engine)


def test_processes_starting_together_upgrade_one_after_the_other(postgres_url: str) -> None:
    """Two `serve` starts on one empty PostgreSQL: the advisory lock serialises the upgrade."""
    admin = database.engine_for(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"race_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = database.parse_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    # Processes, not threads: Alembic keeps its migration context in module state.
    script = (
        "import sys; from hookwise.server import database as d; "
        "d.upgrade(d.engine_for(sys.argv[1]))"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", script, url], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0], errors
    engine = database.engine_for(url)
    assert database.revision(engine) == "0001"
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()
