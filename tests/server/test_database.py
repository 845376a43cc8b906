"""Engines, URLs and the Alembic schema."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hookwise.errors import AggregatorDatabaseError, UsageError
from hookwise.server import database, ingest, queries
from hookwise.server.models import Base
from hookwise.sync.wire import SummaryBatch
from tests.server.payloads import batch, day

HEAD = "0002"


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert database.revision(engine) == HEAD
    database.upgrade(engine)  # a second start changes nothing
    assert database.revision(engine) == HEAD


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
    assert database.revision(engine) == HEAD
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of each kind with no schema at all."""
    if request.param == "sqlite":
        engine = database.engine_for(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    postgres_url = request.getfixturevalue("postgres_url")
    admin = database.engine_for(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"old_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = database.parse_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = database.engine_for(url)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


def migrate(engine: Engine, action: str, target: str) -> None:
    """``alembic upgrade|downgrade target``, as ``database.upgrade`` runs it."""
    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


OLD_DAY = (
    "INSERT INTO summaries (team, repo, day, commits, active_authors, authors, merges, "
    "conflicted_merges, branch_switches, cc_eligible, cc_compliant, sessions, checks_run, "
    "fix_attempts, fix_successes, fixes, received_at) VALUES ('core', 'api', :day, 5, 1, "
    "'[]', 1, 0, 3, 5, 4, 2, 1, 0, 0, '[]', :now)"
)


def test_an_old_database_upgraded_keeps_its_rows(empty: Engine) -> None:
    migrate(empty, "upgrade", "0001")
    with empty.begin() as connection:
        connection.execute(text(OLD_DAY), {"day": date(2026, 11, 1), "now": datetime.now(UTC)})
    database.upgrade(empty)
    assert database.revision(empty) == HEAD
    with empty.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    # The day stored before the column existed keeps every figure, and says nothing of branches.
    ingest.store(empty, "core", SummaryBatch.from_json(batch([day("api", "2026-11-02", 4)])))
    series = queries.day_series(
        empty, "core", "api", since=date(2026, 11, 1), until=date(2026, 11, 2)
    )
    figures = [(d["day"], d["commits"], d["branch_switches"], d["active_branches"]) for d in series]
    assert figures == [("2026-11-01", 5, 3, None), ("2026-11-02", 4, 4, 2)]
    # And back: the downgrade drops only the new column.
    migrate(empty, "downgrade", "0001")
    with empty.connect() as connection:
        rows = connection.execute(text("SELECT day, commits FROM summaries ORDER BY day")).all()
    assert [(str(d), c) for d, c in rows] == [("2026-11-01", 5), ("2026-11-02", 4)]
    assert "active_branches" not in {c["name"] for c in inspect(empty).get_columns("summaries")}
