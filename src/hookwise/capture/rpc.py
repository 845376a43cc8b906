"""Asking the warm worker over its local socket. Standard library only.

One request per connection: a JSON object on one line
(``{"op": ..., "args": {...}}``), answered by one JSON line
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``).
``call`` returns None when no worker listens, so callers fall back to doing
the work in-process.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from hookwise.capture.locations import state_dir
from hookwise.errors import WorkerError

# AF_UNIX paths are limited to 108 bytes on Linux.
MAX_SOCKET_PATH = 100


def socket_path() -> Path:
    path = state_dir() / "worker.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    # Only for a long state path: ``hookwise check`` asks the worker on every
    # failing check, inside a 50 ms budget, and these two cost ~5 ms to import.
    import hashlib
    import tempfile

    digest = hashlib.sha1(str(path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"hookwise-{os.getuid()}-{digest}.sock"


def call(op: str, args: dict[str, Any], *, timeout: float = 30.0) -> Any | None:
    """The worker's answer to ``op``, or None when no worker is listening."""
    path = socket_path()
    if not path.exists():
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            return None
        sock.sendall(json.dumps({"op": op, "args": args}).encode() + b"\n")
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                break
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise WorkerError("the worker sent an unreadable answer; see `hookwise status`") from exc
    if not answer.get("ok"):
        raise WorkerError(f"the worker could not answer: {answer.get('error')}")
    return answer.get("result")
