"""Real servers for the live-feed and dashboard tests: uvicorn on 127.0.0.1 at a free port.

``in_thread`` runs an application object in this process (so a test can
look at its feed), ``process`` runs ``hookwise serve`` as users do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from websockets.sync.client import ClientConnection, connect

from tests.server.conftest import free_port
from tests.waiting import wait_for


@contextmanager
def in_thread(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yields its ``host:port``."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive())
        assert thread.is_alive(), "uvicorn stopped at start"
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def process(db_url: str, log: Path) -> Iterator[str]:
    """Run ``hookwise serve --db db_url`` in its own process; yields its ``host:port``."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "hookwise", "serve", "--port", str(port), "--db", db_url],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ,
        )
        try:

            def up() -> bool:
                try:
                    return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                except httpx.TransportError:
                    return server.poll() is not None

            wait_for(up)
            assert server.poll() is None, log.read_text()
            yield f"127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)


def post(where: str, token: str, batch: dict[str, Any]) -> httpx.Response:
    answer = httpx.post(
        f"http://{where}/api/v1/summaries",
        json=batch,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer


@contextmanager
def subscribe(
    where: str, token: str, *, header: bool = False, **options: Any
) -> Iterator[ClientConnection]:
    """A live-feed client, subscribed: it has had its ``subscribed`` greeting."""
    url = f"ws://{where}/api/v1/live"
    headers = {"Authorization": f"Bearer {token}"} if header else None
    with connect(url, additional_headers=headers, **options) as client:
        if not header:
            client.send(json.dumps({"token": token}))
        greeting = receive(client)
        assert greeting["type"] == "subscribed", greeting
        yield client


def receive(client: ClientConnection, timeout: float = 30) -> dict[str, Any]:
    message = client.recv(timeout=timeout)
    assert isinstance(message, str)
    found: dict[str, Any] = json.loads(message)
    return found
