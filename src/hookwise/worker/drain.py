"""From spool to store: one store's spooled events ingested batch by batch.

The spool is the write-ahead log (DESIGN §2): a batch is read, ingested
under the store's lock in one write per table, and only then are its spool
files deleted, so a crash at any point leaves them to be ingested again
(ingest is idempotent).

One event never holds the rest hostage (DESIGN §2, issue 9):

- A file that cannot be read as an event is moved to ``spool-corrupt/``
  once it is older than ``INCOMPLETE_GRACE_SECONDS`` (a younger one may be
  a hook's file still being written, whatever is wrong with it); a file
  larger than ``hookwise.capture.events.MAX_EVENT_BYTES`` is moved there at
  once, unread.
- What an event names that git no longer has (a pruned commit) is skipped
  by ingest, which records the rest of the event.
- A batch whose ingest fails for a reason that may be one event's (the git
  directory it names is not one, git refuses what it asks) is split
  in halves until the failing events stand alone; the others are ingested.
  A failing event is set aside only when others of its batch were ingested
  without it, which proves the fault is the event's: when none were, the
  repository itself may be what is broken, so the batch stays spooled and
  the error goes up (the worker backs the store off and retries). Splitting
  costs at most 2n-1 attempts for a batch of n, and only after a failure.
- A failure of the store (``StoreError``: full, read-only, damaged), of git
  itself or of the disk is never an event's: it goes up at once.

Check runs spooled by ``hookwise check`` are stored once the hook events
are in (``hookwise.worker.checkruns``), one run at a time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from hookwise.capture.checkrun import is_check_run
from hookwise.capture.events import Event, list_spool, read
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.settings import Settings
from hookwise.errors import (
    GitNotFoundError,
    NotARepositoryError,
    OversizedEventError,
    SpoolError,
    StoreError,
)
from hookwise.store.db import Store
from hookwise.worker.checkruns import store_check_runs
from hookwise.worker.ingest import ingest

# A spool file that does not parse may still be being written, unless it is this old.
INCOMPLETE_GRACE_SECONDS = 30.0
# A hidden file in the spool is a hook's event (or a rewrite's stdin) being
# written; one this old was left by a hook that crashed. A hook takes
# milliseconds, a chained hook that reads the stdin copy minutes at most.
STALE_TEMPORARY_SECONDS = 3600.0
# Failures of the machine rather than of anything an event names.
_ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EIO}
)


@dataclass
class DrainResult:
    events: int = 0
    commits: int = 0
    # Rewritten commits git had pruned before they could be read (not stored).
    pruned: int = 0
    # Check runs ``hookwise check`` spooled, now stored.
    check_runs: int = 0
    # Names of the spool files set aside in spool-corrupt/ (the log says why).
    corrupt: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Spooled:
    event: Event
    path: Path


@dataclass
class Batch:
    spooled: list[Spooled] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)


def quarantine(paths: RepoPaths, path: Path, reason: str) -> None:
    """Move a spool file that cannot be ingested aside, keeping it for inspection."""
    paths.corrupt_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.replace(paths.corrupt_dir / path.name)
    log_error(paths.hookwise_dir, f"worker: {reason}; moved to {paths.corrupt_dir / path.name}")


def read_batch(paths: RepoPaths, limit: int | None = None) -> Batch:
    """Parse up to ``limit`` complete events; set aside the unreadable old ones."""
    limit = limit or Settings().batch_events
    batch = Batch()
    now_ns = time.time_ns()
    for spooled in list_spool(paths.spool_dir):
        if len(batch.spooled) >= limit:
            break
        if is_check_run(spooled.path.name):
            continue  # stored by ``drain`` after the events (hookwise.worker.checkruns)
        try:
            event = read(spooled)
        except FileNotFoundError:
            continue  # drained by another process since it was listed
        except (SpoolError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
                raise  # the disk's fault, not the file's
            young = (now_ns - spooled.time_ns) / 1e9 < INCOMPLETE_GRACE_SECONDS
            if young and not isinstance(exc, OversizedEventError):
                continue  # a hook may still be writing it
            reason = (
                str(exc)
                if isinstance(exc, SpoolError)
                else f"spool event {spooled.path.name} cannot be read: {_described(exc)}"
            )
            quarantine(paths, spooled.path, reason)
            batch.corrupt.append(spooled.path.name)
            continue
        batch.spooled.append(Spooled(event, spooled.path))
    return batch


def remove_stale_temporaries(spool_dir: Path, now_ns: int | None = None) -> list[str]:
    """Delete the hidden files a crashed hook left in the spool; their names."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    removed: list[str] = []
    try:
        entries = list(os.scandir(spool_dir))
    except OSError:
        return removed  # no spool, or one the caller reports
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if (now_ns - entry.stat().st_mtime_ns) / 1e9 < STALE_TEMPORARY_SECONDS:
                continue
            Path(entry.path).unlink()
        except FileNotFoundError:
            continue
        removed.append(entry.name)
    return removed


def drain(store: Store, *, lock_timeout: float = 30.0) -> DrainResult:
    """Ingest every complete spooled event of one store, batch by batch."""
    result = DrainResult()
    paths = store.paths
    remove_stale_temporaries(paths.spool_dir)
    while True:
        batch = read_batch(paths)
        result.corrupt += batch.corrupt
        if not batch.spooled:
            # The commits first: fix detection after a check run reads them.
            result.check_runs, corrupt = store_check_runs(
                store, lock_timeout=lock_timeout, grace_seconds=INCOMPLETE_GRACE_SECONDS
            )
            result.corrupt += corrupt
            return result
        failed: list[tuple[Spooled, Exception]] = []
        ingested = _ingest_isolating(store, batch.spooled, lock_timeout, result, failed)
        if failed and not ingested:
            # Nothing went in beside them: the fault may be the repository's.
            spooled, exc = failed[0]
            raise SpoolError(
                f"spool event {spooled.path.name} cannot be ingested ({_described(exc)}), "
                "nor any event spooled with it; they stay spooled and are tried again"
            ) from exc
        for spooled, exc in failed:
            reason = f"spool event {spooled.path.name} cannot be ingested: {_described(exc)}"
            quarantine(paths, spooled.path, reason)
            result.corrupt.append(spooled.path.name)


def _ingest_isolating(
    store: Store,
    spooled: list[Spooled],
    lock_timeout: float,
    result: DrainResult,
    failed: list[tuple[Spooled, Exception]],
) -> int:
    """Ingest ``spooled``, halving it around failures that may be one event's;
    the number of events ingested. Events failing alone go to ``failed``."""
    try:
        _ingest(store, spooled, lock_timeout, result)
        return len(spooled)
    except Exception as exc:
        if not _may_be_the_events(exc):
            raise
        if len(spooled) == 1:
            failed.append((spooled[0], exc))
            return 0
    half = len(spooled) // 2
    return _ingest_isolating(
        store, spooled[:half], lock_timeout, result, failed
    ) + _ingest_isolating(store, spooled[half:], lock_timeout, result, failed)


def _ingest(store: Store, spooled: list[Spooled], lock_timeout: float, result: DrainResult) -> None:
    with store.lock(timeout=lock_timeout):
        ingested = ingest(store, store.paths, [s.event for s in spooled])
    # Only now, with the batch committed, are the spool files redundant.
    for item in spooled:
        with contextlib.suppress(FileNotFoundError):
            item.path.unlink()
    result.events += ingested.events
    result.commits += ingested.commits
    result.pruned += ingested.pruned


def _may_be_the_events(exc: Exception) -> bool:
    """Whether ``exc`` may come from one event (and so isolating it can help)."""
    if isinstance(exc, (StoreError, GitNotFoundError, NotARepositoryError, MemoryError)):
        return False
    return not (isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS)


def _described(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def drain_now(paths: RepoPaths) -> DrainResult:
    """Ingest one repository's spool in this process (``hookwise worker --once``)."""
    return drain(Store.open(paths))
