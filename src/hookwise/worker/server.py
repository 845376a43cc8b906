"""The worker's side of ``hookwise.capture.rpc``: a Unix socket served from a thread.

The worker hands it its table of handlers (``hookwise.worker.tasks``) and
itself, so a handler can use what the worker keeps warm (open stores, the
embedding model).
"""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
import time
from pathlib import Path
from typing import Any

from hookwise.capture.rpc import socket_path
from hookwise.worker.tasks import Handler


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    worker: Any = None
    handlers: dict[str, Handler] = {}  # noqa: RUF012 (set per instance by RpcServer)
    last_request = 0.0


class _RequestHandler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline()
        self.server.last_request = time.monotonic()
        try:
            request = json.loads(line)
            fn = self.server.handlers.get(request.get("op", ""))
            if fn is None:
                raise ValueError(f"unknown operation {request.get('op')!r}")
            answer = {"ok": True, "result": fn(self.server.worker, request.get("args") or {})}
        except Exception as exc:
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        with contextlib.suppress(BrokenPipeError):
            self.wfile.write(json.dumps(answer).encode() + b"\n")


class RpcServer:
    """Serves requests in background threads until ``close``."""

    def __init__(self, worker: Any, handlers: dict[str, Handler]) -> None:
        self.path: Path = socket_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of a worker that died; we hold the lock
        self._server = _Server(str(self.path), _RequestHandler)
        self._server.worker = worker
        self._server.handlers = handlers
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def last_request(self) -> float:
        return self._server.last_request

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
