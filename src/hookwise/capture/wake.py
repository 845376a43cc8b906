"""Starting the background worker without waiting for it. Standard library only.

The native hook does the same in sh (``hooks/shim.sh``); the pre-commit entry
and the CLI call ``ensure_worker``. Whether one runs is
``hookwise.capture.pidfile.worker_pid``, also importable from here.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

from hookwise.capture.pidfile import worker_pid as worker_pid


def start_worker(register: Path | None = None, python: str | None = None) -> None:
    """Start a detached worker (it exits at once if another one holds the lock)."""
    cmd = [python or sys.executable, "-m", "hookwise", "worker", "--detach"]
    if register is not None:
        cmd += ["--register", str(register)]
    log = None
    if register is not None:
        with contextlib.suppress(OSError):
            log = (register / "log").open("ab")
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    finally:
        if log is not None:
            log.close()
    # `worker --detach` forks and its first process exits at once: reap it so
    # no zombie is left behind.
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def ensure_worker(register: Path | None = None) -> bool:
    """Start a worker unless one runs; True when one was started."""
    if worker_pid() is not None and (register is None or (register / "registered").exists()):
        return False
    start_worker(register)
    return True
