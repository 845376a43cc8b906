"""The per-repository error log at ``.git/hookwise/log``. Standard library only."""

from __future__ import annotations

import time
from pathlib import Path

MAX_LOG_BYTES = 1_000_000


def log_error(hookwise_dir: Path, message: str) -> None:
    """Append one line; never raise (a failing log must not fail a hook)."""
    try:
        hookwise_dir.mkdir(parents=True, exist_ok=True)
        path = hookwise_dir / "log"
        try:
            if path.stat().st_size > MAX_LOG_BYTES:
                path.replace(path.with_name("log.1"))
        except FileNotFoundError:
            pass
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        line = " ".join(message.split())
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {line}\n")
    except OSError:
        pass


def last_error(hookwise_dir: Path) -> str | None:
    path = hookwise_dir / "log"
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            tail = fh.read().decode("utf-8", errors="replace").strip().splitlines()
    except OSError:
        return None
    return tail[-1] if tail else None
