"""`hookwise serve --workers 2`: two processes on one port over one PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from hookwise.errors import UsageError
from hookwise.server import run, tokens
from hookwise.server.database import engine_for
from tests.server.conftest import free_port
from tests.server.payloads import batch, day
from tests.waiting import wait_for


def test_sqlite_refuses_several_workers(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'aggregator.db'}")
    with pytest.raises(UsageError, match="SQLite serves one process, not 3"):
        run.serve(engine, host="127.0.0.1", port=free_port(), workers=3)
    with pytest.raises(UsageError, match="at least 1"):
        run.serve(engine, host="127.0.0.1", port=free_port(), workers=0)


def test_two_workers_share_the_port_and_the_database(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE tokens, summaries, patterns RESTART IDENTITY"))
    token = tokens.create(postgres_engine, "core")
    url = postgres_engine.url.render_as_string(hide_password=False)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "hookwise", "serve", "--port", str(port), "--workers", "2"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, run.DB_ENV: url},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # Each worker says so once its application is up: both, not one.
            wait_for(lambda: log_path.read_text().count("Application startup complete") == 2)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers) as http:
                for d in range(1, 21):  # new connections: the kernel spreads them over both
                    sent = batch([day("api", f"2026-11-{d:02d}", d)])
                    answer = httpx.post(f"{base}/api/v1/summaries", json=sent, headers=headers)
                    assert answer.status_code == 200, answer.text
                got = http.get("/api/v1/portfolio?until=2026-11-20&days=20").json()
            assert [d["commits"] for d in got["repos"][0]["days"]] == list(range(1, 21))
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert server.returncode == 0, log_path.read_text()
