"""The user's registry of stores the worker drains. Standard library only.

``hookwise install`` (and the pre-commit entry, and the worker started by a
native hook) register a repository's ``.git/hookwise`` directory; the worker
scans every registered spool. An entry is a small file under
``<state>/repos/`` named by a hash of the path and holding the path; the
store directory gets a ``registered`` marker so the native hook can tell,
with one ``test -e``, that it need not register again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from hookwise.capture.locations import state_dir


def _entry(hookwise_dir: Path) -> Path:
    key = hashlib.sha1(str(hookwise_dir).encode()).hexdigest()[:20]
    return state_dir() / "repos" / key


def register(hookwise_dir: Path) -> None:
    hookwise_dir = hookwise_dir.absolute()
    entry = _entry(hookwise_dir)
    entry.parent.mkdir(parents=True, exist_ok=True)
    if not entry.exists() or entry.read_text().strip() != str(hookwise_dir):
        tmp = entry.with_name(entry.name + f".{os.getpid()}.tmp")
        tmp.write_text(str(hookwise_dir) + "\n")
        tmp.replace(entry)
    hookwise_dir.mkdir(parents=True, exist_ok=True)
    marker = hookwise_dir / "registered"
    if not marker.exists():
        marker.write_text(str(state_dir()) + "\n")


def unregister(hookwise_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        _entry(hookwise_dir.absolute()).unlink()
    with contextlib.suppress(FileNotFoundError):
        (hookwise_dir / "registered").unlink()


def registered() -> list[Path]:
    """Registered store directories that still exist (stale entries are dropped).

    An entry that cannot be read, or that does not hold an absolute path
    (cut short, or written by hand), is skipped: one bad entry never hides
    the others from the worker. A registry that cannot be listed at all is
    empty.
    """
    directory = state_dir() / "repos"
    found: list[Path] = []
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return found
    for entry in entries:
        if entry.name.endswith(".tmp"):
            continue
        try:
            path = Path(entry.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError):
            continue
        if not path.is_absolute():
            continue
        if path.parent.is_dir():  # the repository's git dir is still there
            found.append(path)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    return found
