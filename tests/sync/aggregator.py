"""A real aggregator for sync tests: `hookwise serve` on 127.0.0.1 at a free port.

The database is a SQLite file; the token is made with the server's own
token functions, as `hookwise serve token create` makes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.server.conftest import free_port
from tests.waiting import wait_for


@dataclass
class Aggregator:
    url: str
    token: str
    db: str

    def get(self, path: str) -> Any:
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def rows(self, repo: str) -> list[tuple[str, int]]:
        """(day, commits) of every stored summary of ``repo``, read from the database."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.db)
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    text("SELECT day, commits FROM summaries WHERE repo = :r ORDER BY day"),
                    {"r": repo},
                )
                return [(str(day), int(commits)) for day, commits in found]
        finally:
            engine.dispose()


def make_token(db: str, team: str = "core", repo: str | None = None) -> str:
    from hookwise.server import database, tokens

    engine = database.engine_for(db)
    try:
        database.upgrade(engine)
        return tokens.create(engine, team, repo=repo)
    finally:
        engine.dispose()


@contextlib.contextmanager
def running_aggregator(folder: Path, port: int | None = None) -> Iterator[Aggregator]:
    """`hookwise serve` until the block ends; ``port``: a given one (to restart on it)."""
    db = f"sqlite:///{folder / 'aggregator.db'}"
    token = make_token(db) if not (folder / "aggregator.db").exists() else _token(folder)
    (folder / "token").write_text(token)
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with (folder / f"serve-{port}.log").open("a") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "hookwise", "serve", "--port", str(port), "--db", db],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ,
        )
        try:

            def up() -> bool:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                        return bool(response.status == 200)
                except (urllib.error.URLError, OSError):
                    return server.poll() is not None

            wait_for(up)
            assert server.poll() is None, (folder / f"serve-{port}.log").read_text()
            yield Aggregator(base, token, db)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _token(folder: Path) -> str:
    return (folder / "token").read_text()
