"""The worker's conflict checks: merges backfill left pending, answered in a niced child.

The idle task ``ConflictChecker.when_idle`` looks, for each store whose
spool is empty, whether merges wait for a conflict check, and if so starts
``python -m hookwise.worker.conflicts DIR``, which runs
``hookwise.history.conflicts.check_pending`` at ``NICENESS``, in a process
of its own: git.git's 21k merges keep both cores busy for minutes, and the
worker's loop (ingest, search, suggest) must go on meanwhile.

Cheap when there is nothing to do: a store whose commits table has not
changed since a child finished cleanly is not looked at again (one table
version read). A child that died (killed) is started again after
``RETRY_SECONDS``, and it resumes from what the store holds; a second
child for the same store (a worker restarted while the first runs) sees
the first's lock and exits at once.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.errors import HookwiseError, StoreLockedError
from hookwise.worker.learning import start_child

if TYPE_CHECKING:
    from hookwise.store.db import Store

#: The child's niceness: it shares the cores with the developer's own work.
NICENESS = 10
#: How long after a child was started another may start for the same store.
RETRY_SECONDS = 30.0
LOCK_FILE = "conflicts.lock"
USAGE = "usage: python -m hookwise.worker.conflicts STORE_DIR  (a .git/hookwise directory)"


class ConflictChecker:
    """The worker's idle task for pending conflict checks; one child per store at a time."""

    def __init__(self) -> None:
        self.children: dict[Path, subprocess.Popen[bytes]] = {}
        self.started: dict[Path, float] = {}
        # The commits table's version when a child last finished cleanly.
        self.settled: dict[Path, int] = {}

    def when_idle(self, worker: object, store: Store) -> bool:
        """Start a child when merges of ``store`` wait for a check; True when started."""
        from hookwise.history.conflicts import pending_count

        hookwise_dir = store.paths.hookwise_dir
        child = self.children.get(hookwise_dir)
        if child is not None:
            if child.poll() is None:
                return False
            del self.children[hookwise_dir]  # ended: reaped, no zombie left
            if child.returncode == 0:
                self.settled[hookwise_dir] = store.version("commits")
        if self.settled.get(hookwise_dir) == store.version("commits"):
            return False
        last = self.started.get(hookwise_dir)
        if last is not None and time.monotonic() - last < RETRY_SECONDS:
            return False
        if not pending_count(store):
            self.settled[hookwise_dir] = store.version("commits")
            return False
        self.started[hookwise_dir] = time.monotonic()
        self.children[hookwise_dir] = start_child(hookwise_dir, __name__)
        return True


def main(argv: list[str] | None = None) -> int:
    """Check the store's pending merges: 0 done (or another child runs), 1 failed, 2 usage."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    hookwise_dir = Path(args[0])
    from hookwise.history.conflicts import check_pending

    fd = os.open(hookwise_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another child checks this store
        check_pending(RepoPaths.for_hookwise_dir(hookwise_dir))
    except StoreLockedError:
        return 1  # a long backfill holds the store: the worker tries again later
    except HookwiseError as exc:
        log_error(hookwise_dir, f"worker: conflict checks failed: {exc}")
        return 1
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
