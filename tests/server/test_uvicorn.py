"""The aggregator as users run it: `hookwise serve` on 127.0.0.1, spoken to over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.server.conftest import free_port
from tests.server.payloads import batch, day
from tests.waiting import wait_for


def hookwise(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hookwise", *args], capture_output=True, text=True, **options
    )


def test_serve_answers_over_http(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'aggregator.db'}"
    created = hookwise("serve", "token", "create", "--team", "core", "--db", db, check=True)
    token = created.stdout.split()[-1]
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "serve", "--port", str(port), "--db", db],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{base}/healthz").status_code == 200
            except httpx.TransportError:
                return server.poll() is not None

        wait_for(up)
        assert server.poll() is None, (tmp_path / "serve.log").read_text()
        headers = {"Authorization": f"Bearer {token}"}
        sent = httpx.post(
            f"{base}/api/v1/summaries", json=batch([day("api", "2026-11-01", 5)]), headers=headers
        )
        assert sent.status_code == 200, sent.text
        got = httpx.get(f"{base}/api/v1/portfolio?until=2026-11-01&days=1", headers=headers)
        assert got.json()["repos"][0]["commits"] == 5
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "hookwise aggregator"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
