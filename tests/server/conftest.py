"""The aggregator's databases: a SQLite file per test, and a real PostgreSQL.

PostgreSQL comes from ``HOOKWISE_TEST_POSTGRES_URL`` when set, else it is
started once per session from Debian's binaries (``initdb`` and ``pg_ctl``
under /usr/lib/postgresql) in a temporary folder, listening on 127.0.0.1
at a free port. Without the binaries the PostgreSQL half of each test is
skipped, except under ``CI=true``, where that is a failure: CI installs
them (``.ci/run``). As root, the server runs as the ``postgres`` user,
since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the server extra")

from sqlalchemy import Engine, text

from hookwise.server import database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binaries() -> Path | None:
    found = Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
    newest = max(found, key=lambda p: float(p.parts[-3]), default=None)
    return None if newest is None else newest.parent


def _as_user() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": pwd.getpwnam("postgres").pw_gid}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    given = os.environ.get("HOOKWISE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _binaries()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql); CI needs it")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    as_user = _as_user()
    base = Path(tempfile.mkdtemp(prefix="hookwise-pg-"))
    if as_user:
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", free_port()
    run = {"check": True, "capture_output": True, "env": {**os.environ, "LC_ALL": "C"}, **as_user}
    subprocess.run(
        [
            bin_dir / "initdb",
            "-D",
            data,
            "-A",
            "trust",
            "-U",
            "hookwise",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        **run,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [bin_dir / "pg_ctl", "-D", data, "-l", base / "log", "-o", options, "-w", "start"], **run
    )
    try:
        yield f"postgresql://hookwise@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], **run)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = database.engine_for(postgres_url)
    database.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An upgraded, empty database of each kind."""
    if request.param == "sqlite":
        engine = database.engine_for(f"sqlite:///{tmp_path / 'aggregator.db'}")
        database.upgrade(engine)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE tokens, summaries, patterns RESTART IDENTITY"))
    yield engine
