"""From spool to store: one store's spooled events ingested batch by batch.

The spool is the write-ahead log (DESIGN §2): a batch is read, ingested
under the store's lock in one write per table, and only then are its spool
files deleted, so a crash at any point leaves them to be ingested again
(ingest is idempotent). A file that cannot be read is moved aside, never
retried for ever.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from hookwise.capture.events import Event, list_spool, parse
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.settings import Settings
from hookwise.errors import IncompleteEventError, SpoolError
from hookwise.store.db import Store
from hookwise.worker.ingest import ingest

# A spool file without its `end` line is still being written, unless it is this old.
INCOMPLETE_GRACE_SECONDS = 30.0


@dataclass
class DrainResult:
    events: int = 0
    commits: int = 0
    corrupt: list[str] = field(default_factory=list)


def quarantine(paths: RepoPaths, path: Path, reason: str) -> None:
    """Move a spool file that cannot be ingested aside, keeping it for inspection."""
    paths.corrupt_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.replace(paths.corrupt_dir / path.name)
    log_error(paths.hookwise_dir, f"worker: {reason}; moved to {paths.corrupt_dir / path.name}")


def read_batch(
    paths: RepoPaths, limit: int | None = None
) -> tuple[list[Event], list[Path], list[str]]:
    """Parse up to ``limit`` complete events; quarantine the unreadable ones."""
    limit = limit or Settings().batch_events
    events: list[Event] = []
    files: list[Path] = []
    corrupt: list[str] = []
    now_ns = time.time_ns()
    for spooled in list_spool(paths.spool_dir):
        if len(events) >= limit:
            break
        try:
            text = spooled.path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            continue
        try:
            event = parse(spooled.path.name, text, spooled.time_ns)
        except SpoolError as exc:
            young = (now_ns - spooled.time_ns) / 1e9 < INCOMPLETE_GRACE_SECONDS
            if isinstance(exc, IncompleteEventError) and young:
                continue  # a hook is still writing it
            quarantine(paths, spooled.path, str(exc))
            corrupt.append(spooled.path.name)
            continue
        events.append(event)
        files.append(spooled.path)
    return events, files, corrupt


def drain(store: Store, *, lock_timeout: float = 30.0) -> DrainResult:
    """Ingest every complete spooled event of one store, batch by batch."""
    result = DrainResult()
    paths = store.paths
    while True:
        events, files, corrupt = read_batch(paths)
        result.corrupt += corrupt
        if not events:
            return result
        with store.lock(timeout=lock_timeout):
            ingested = ingest(store, paths, events)
        # Only now, with the batch committed, are the spool files redundant.
        for path in files:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        result.events += ingested.events
        result.commits += ingested.commits


def drain_now(paths: RepoPaths) -> DrainResult:
    """Ingest one repository's spool in this process (``hookwise worker --once``)."""
    return drain(Store.open(paths))
