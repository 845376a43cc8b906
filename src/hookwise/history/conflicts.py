"""Conflict checks that backfill left pending, done in batches in the background.

Backfill stores a big history's merges with ``had_conflicts`` null
(*pending*): re-merging git.git's 21k merges takes minutes (~110 merges/s
per process) where its metadata takes well under one. ``check_pending``
answers them, newest first (the merges recent metrics windows count), a
round of ``jobs`` times ``BATCH_MERGES`` at a time, one ``git merge-tree
--stdin`` per core, and writes each round's flags in one store commit:

- Resumable: what is pending is read from the store, so a run killed at
  any point (SIGKILL included) leaves every merge either answered, with
  ``git merge-tree``'s answer, or still null, and the next run goes on
  from there. Nothing else is kept.
- Capture first: before each write it waits while the repository's spool
  holds events (up to ``CAPTURE_WAIT_SECONDS``), and it holds the store
  lock only for the write, so ingest, search and check never queue behind a
  round of re-merging.
- ``<store>/conflicts.json`` says how far it got and how fast (merges/s),
  for ``hookwise status``.

A merge git cannot re-merge at all (a shallow clone without its parents)
stays pending; it is counted in ``unanswerable`` and not tried again by
the same run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hookwise.capture.events import list_spool
from hookwise.capture.jsonfile import read_object, write_object
from hookwise.capture.locations import RepoPaths
from hookwise.errors import GitError
from hookwise.git.conflicts import MergeCheck, check_merges_parallel
from hookwise.store.db import Store

#: Up to this many new merges are checked at once, by backfill beside its
#: ``git log`` and by the worker's ingest (a fetch: ~0.2 s on pytest's
#: history, ~5 s at git.git's ~110 merges/s); more are stored pending, so a
#: whole history's metadata lands in about the time of ``git log --numstat``.
INLINE_MERGES = 500
PROGRESS_FILE = "conflicts.json"
PENDING = "is_merge AND had_conflicts IS NULL"
#: Merges per git process per round: ~4 s of re-merging at git.git's
#: ~110 merges/s, so a round's write (a read and a keyed merge over the
#: commits table, ~0.3 s at 82k rows) costs under a tenth of it.
BATCH_MERGES = 400
#: How long a round waits for the worker to ingest captured events first.
CAPTURE_WAIT_SECONDS = 30.0
#: How long a round waits for the store lock before it tries again later.
LOCK_SECONDS = 60.0

Clock = Callable[[], float]


@dataclass(frozen=True)
class CheckProgress:
    checked: int  # merges answered by this run
    conflicted: int
    pending: int  # merges still waiting when it stopped
    unanswerable: int
    seconds: float

    @property
    def rate(self) -> float | None:
        return self.checked / self.seconds if self.seconds > 0 and self.checked else None


def progress_path(paths: RepoPaths) -> Path:
    return paths.store_dir / PROGRESS_FILE


def read_progress(paths: RepoPaths) -> dict[str, Any]:
    """What the last (or running) check wrote: ``checked``, ``pending``, ``rate`` ..."""
    return read_object(progress_path(paths))


def pending_count(store: Store) -> int:
    """Merges whose conflict check is still to come."""
    return store.count("commits", PENDING)


def pending_merges(store: Store) -> list[tuple[str, str, str]]:
    """``(sha, first parent, second parent)`` of every pending merge, newest first."""
    table = store.read("commits", PENDING, columns=["sha", "parents", "committer_time"])
    rows = sorted(table.to_pylist(), key=lambda r: -(r["committer_time"] or 0))
    return [(r["sha"], r["parents"][0], r["parents"][1]) for r in rows if len(r["parents"]) > 1]


def cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def write_checks(store: Store, checks: list[MergeCheck]) -> None:
    """Store the answers, in one commit; the caller holds the store lock."""
    if not checks:
        return
    by_sha = {c.sha: c for c in checks}
    rows = store.commits_by_sha(by_sha).to_pylist()
    for row in rows:
        check = by_sha[row["sha"]]
        row["had_conflicts"] = check.had_conflicts
        row["conflict_paths"] = list(check.conflict_paths)
    import pyarrow as pa

    from hookwise.store import schema

    store.upsert_commit_rows(pa.Table.from_pylist(rows, schema=schema.COMMITS))


def _wait_for_capture(paths: RepoPaths, clock: Clock, sleep: Callable[[float], None]) -> None:
    deadline = clock() + CAPTURE_WAIT_SECONDS
    while clock() < deadline:
        try:
            if not list_spool(paths.spool_dir):
                return
        except OSError:
            return  # the worker reports an unreadable spool; not this job's to wait on
        sleep(0.2)


def check_pending(
    paths: RepoPaths,
    *,
    jobs: int | None = None,
    batch: int = BATCH_MERGES,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckProgress:
    """Answer every pending merge of ``paths``' store (see the module docstring)."""
    jobs = jobs or cores()
    repo = paths.worktree or paths.common_dir
    store = Store.open(paths, create=False)
    merges = pending_merges(store)
    started = clock()
    checked = conflicted = unanswerable = 0
    round_size = jobs * batch
    for at in range(0, len(merges), round_size):
        part = merges[at : at + round_size]
        try:
            checks = check_merges_parallel(repo, part, jobs=jobs)
        except (GitError, KeyError, ValueError):
            checks = _one_by_one(repo, part)
        unanswerable += len(part) - len(checks)
        _wait_for_capture(paths, clock, sleep)
        with store.lock(timeout=LOCK_SECONDS):
            write_checks(store, checks)
        checked += len(checks)
        conflicted += sum(c.had_conflicts for c in checks)
        _record(paths, checked, len(merges) - at - len(part), clock() - started)
    result = CheckProgress(
        checked=checked,
        conflicted=conflicted,
        pending=unanswerable,
        unanswerable=unanswerable,
        seconds=clock() - started,
    )
    _record(paths, checked, unanswerable, result.seconds, done=True)
    return result


def _one_by_one(repo: Path, merges: list[tuple[str, str, str]]) -> list[MergeCheck]:
    """A round git refused as a whole: each merge alone, skipping those it cannot answer."""
    from hookwise.git.conflicts import check_merges

    answered: list[MergeCheck] = []
    for merge in merges:
        try:
            answered.extend(check_merges(repo, [merge]))
        except (GitError, KeyError, ValueError):
            continue
    return answered


def _record(
    paths: RepoPaths, checked: int, pending: int, seconds: float, done: bool = False
) -> None:
    write_object(
        progress_path(paths),
        {
            "checked": checked,
            "pending": pending,
            "seconds": round(seconds, 2),
            "rate": round(checked / seconds, 1) if seconds > 0 and checked else None,
            "updated_at": int(time.time()),
            "done": done,
        },
    )
