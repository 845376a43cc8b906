"""The worker's scheduled sync: ``hookwise sync`` every ``schedule_minutes``, in a niced child.

When the repository's ``[tool.hookwise.sync]`` sets ``schedule_minutes``
and the worker's environment gives a URL and a token (``HOOKWISE_SYNC_URL``
and ``HOOKWISE_SYNC_TOKEN``, or ``url`` and ``token_file`` in the table),
the idle task ``Syncer.when_idle`` starts ``python -m hookwise.worker.sync
WORKTREE`` once the period has passed since the last start. Like
re-checking and learning it runs in a child of its own: building a first
sync of a long history takes seconds, and an unreachable aggregator
takes the client's retries, and neither may hold up ingest or
``suggest``. It is an idle task, so it never runs on a commit's path.

A failure is a line in the repository's log (``hookwise status`` shows
it); what could not be sent is queued by the push itself and sent first
by the next period's sync. The time of the last start is kept in
``.git/hookwise/sync/schedule.json``, so a restarted worker keeps the
period. The token reaches the child through its environment, never its
command line, which every user of the machine can read.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hookwise.capture.hooklog import log_error
from hookwise.capture.jsonfile import read_object, write_object
from hookwise.errors import HookwiseError
from hookwise.worker.children import start_module

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.store.db import Store

SCHEDULE_FILE = "schedule.json"
NICENESS = 10
USAGE = "usage: python -m hookwise.worker.sync WORKTREE"


def worktree_of(paths: RepoPaths) -> Path | None:
    """The worktree whose configuration a store's sync reads (the worker knows only
    ``.git/hookwise``: the main worktree is the folder that holds ``.git``)."""
    if paths.worktree is not None:
        return paths.worktree
    return paths.common_dir.parent if paths.common_dir.name == ".git" else None


class Syncer:
    """The idle task; ``clock`` is ``time.time`` except in tests that move time.

    The configuration is read again only when its files change: parsing
    this repository's ``pyproject.toml`` took 15 ms on a busy machine, and
    the worker looks at each store every poll (0.25 s); two ``stat`` calls
    cost microseconds. A table that is not valid is logged once per change
    of the files, not once per poll.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.children: dict[Path, subprocess.Popen[bytes]] = {}
        self._schedules: dict[Path, tuple[object, float | None]] = {}

    def when_idle(self, worker: object, store: Store) -> bool:
        """Start a sync of ``store``'s repository when one is due; True when started."""
        from hookwise.sync.config import resolve_target
        from hookwise.sync.push import sync_dir

        paths = store.paths
        child = self.children.get(paths.hookwise_dir)
        if child is not None:
            if child.poll() is None:
                return False
            del self.children[paths.hookwise_dir]  # ended: reaped, no zombie left
        root = worktree_of(paths)
        minutes = None if root is None else self.schedule_minutes(paths, root)
        if root is None or minutes is None:
            return False
        state_path = sync_dir(paths) / SCHEDULE_FILE
        now = self.clock()
        if now - float(read_object(state_path).get("at", 0)) < minutes * 60:
            return False
        try:
            url, token = resolve_target(root)
        except HookwiseError as exc:  # an unreadable token file: said once a period
            log_error(paths.hookwise_dir, f"worker: scheduled sync: {exc}")
            url = token = None
        with contextlib.suppress(OSError):
            write_object(state_path, {"at": now}, make_parent=True)
        if url is None or token is None:
            return False  # not configured for this worker's environment
        self.children[paths.hookwise_dir] = start_child(paths.hookwise_dir, root)
        return True

    def schedule_minutes(self, paths: RepoPaths, root: Path) -> float | None:
        """``schedule_minutes`` of ``root``'s configuration (None: no schedule, or not valid)."""
        from hookwise.checks.locate import OWN_CONFIG, PYPROJECT
        from hookwise.sync.config import load_sync_config

        stamp = tuple(_stat(root / name) for name in (OWN_CONFIG, PYPROJECT))
        cached = self._schedules.get(root)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            minutes = load_sync_config(root).schedule_minutes
        except HookwiseError as exc:
            log_error(paths.hookwise_dir, f"worker: scheduled sync: {exc}")
            minutes = None
        self._schedules[root] = (stamp, minutes)
        return minutes


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def start_child(hookwise_dir: Path, root: Path) -> subprocess.Popen[bytes]:
    """``python -m hookwise.worker.sync WORKTREE``, its stderr into the repository's log."""
    return start_module(hookwise_dir, __name__, [str(root)])


def main(argv: list[str] | None = None) -> int:
    """Push the repository's days: 0 sent, 1 failed (logged, and queued when unreachable)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    from hookwise.git.repo import discover
    from hookwise.sync.config import load_sync_config, resolve_target
    from hookwise.sync.identity import repo_name
    from hookwise.sync.push import push

    root = Path(args[0])
    try:
        paths = discover(root)
    except HookwiseError as exc:
        print(f"hookwise worker: scheduled sync of {root}: {exc}", file=sys.stderr)
        return 1
    try:
        url, token = resolve_target(root)
        if url is None or token is None:
            return 0  # the environment changed since the worker looked
        push(paths, repo_name(root), url, token, include_code=load_sync_config(root).include_code)
    except HookwiseError as exc:
        log_error(paths.hookwise_dir, f"worker: scheduled sync failed: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
