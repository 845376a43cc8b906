"""Asking the warm worker over its local socket. Standard library only.

One request per connection: a JSON object on one line
(``{"op": ..., "args": {...}}``), answered by one JSON line
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``).
``call`` returns None when no worker listens, so callers fall back to doing
the work in-process.

``hookwise check`` asks the worker on every failing check, inside a budget
of 50 ms for all it adds (DESIGN §6), so the asking side imports no more
than it must: ``_socket`` rather than ``socket`` (whose enum set-up costs
~3.5 ms; the object is the same, less the conveniences), and ``os`` paths
rather than ``pathlib`` (~6 ms).
"""

# ruff: noqa: PTH110, PTH118

from __future__ import annotations

import _socket
import json
import os
import time

from hookwise.capture import settings
from hookwise.errors import WorkerError

# typing and pathlib are not loaded on the check path; annotations only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# AF_UNIX paths are limited to 108 bytes on Linux.
MAX_SOCKET_PATH = 100
#: After a worker let a question time out, this process does not wait on it again for
#: this long: ``hookwise search``'s light entry waited 60 s for a hung worker, then the
#: full command it handed over to waited 60 s more before answering itself.
UNANSWERED_SECONDS = 60.0
#: Socket path -> when this process last saw the worker there let a question time out.
_unanswered: dict[str, float] = {}


def _now() -> float:
    return time.monotonic()


def socket_file() -> str:
    """Where the worker listens."""
    path = os.path.join(settings.state_dir(), "worker.sock")
    if len(path) <= MAX_SOCKET_PATH:
        return path
    # Only for a long state path: these two cost ~5 ms to import.
    import hashlib
    import tempfile

    digest = hashlib.sha1(path.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"hookwise-{os.getuid()}-{digest}.sock")


def socket_path() -> Path:
    """``socket_file`` as a ``Path``."""
    from pathlib import Path

    return Path(socket_file())


def call(op: str, args: dict[str, Any], *, timeout: float = 30.0) -> Any | None:
    """The worker's answer to ``op``, or None when no worker is listening.

    Raises ``TimeoutError`` when it does not answer within ``timeout``
    seconds (and at once, for ``UNANSWERED_SECONDS`` after that, without
    asking), ``WorkerError`` when its answer is an error or unreadable.
    """
    path = socket_file()
    if not os.path.exists(path):
        return None
    timed_out = _unanswered.get(path)
    if timed_out is not None and _now() - timed_out < UNANSWERED_SECONDS:
        raise TimeoutError(f"the worker at {path} did not answer this process's last question")
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            sock.connect(path)
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
    except TimeoutError:
        _unanswered[path] = _now()
        raise
    finally:
        sock.close()
    _unanswered.pop(path, None)
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise WorkerError("the worker sent an unreadable answer; see `hookwise status`") from exc
    if not answer.get("ok"):
        raise WorkerError(f"the worker could not answer: {answer.get('error')}")
    return answer.get("result")
