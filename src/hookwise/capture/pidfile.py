"""Whether the user's worker runs, from its pid file. ``os`` only.

The one implementation, for the capture entry's warm path (which may import
nothing heavier than ``os``) and for ``hookwise.capture.wake``, the CLI and
``hookwise status``. The native shim does the same with ``read`` and
``kill -0``.
"""

# os.path, not pathlib, on the hot path.
# ruff: noqa: PTH118

from __future__ import annotations

import os

from hookwise.capture import settings

PID_FILE = "worker.pid"


def worker_pid(state_dir: str | None = None) -> int | None:
    """The running worker's pid, or None when no worker runs (or none can be told)."""
    directory = settings.state_dir() if state_dir is None else state_dir
    try:
        with open(os.path.join(directory, PID_FILE), encoding="utf-8") as fh:
            pid = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except PermissionError:
        return pid  # it runs, as another user
    except OSError:
        return None
    return pid
