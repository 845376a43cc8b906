"""Starting the background worker without waiting for it. Standard library only.

The native hook does the same in sh (``hooks/shim.sh``); the pre-commit entry
and the CLI call ``ensure_worker``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from hookwise.capture.locations import state_dir


def worker_pid() -> int | None:
    """The running worker's pid, or None when no worker runs."""
    try:
        pid = int((state_dir() / "worker.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


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
