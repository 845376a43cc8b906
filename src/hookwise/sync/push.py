"""``hookwise sync``, push side: the queue first, then the days from the watermark on.

One push, in order:

1. Batches queued by an earlier sync that could not reach the aggregator
   are sent, oldest first; each accepted one moves the watermark to its
   last day and leaves the queue.
2. The days from the watermark on (``since`` overrides it) are built from
   the store (``summaries``, ``patterns``) and sent as batches of at most
   ``wire.MAX_SUMMARIES`` days and ``SPLIT_BYTES`` bytes; the fix patterns
   ride with the last. Each accepted batch moves the watermark.

When the aggregator cannot be reached (after the client's retries), what
was not sent is queued and ``AggregatorUnreachableError`` says where; the
next push sends it first. A 4xx (``AggregatorRefusedError``) stops the
push: a queued batch refused for its token or scope (401, 403) stays
queued for a push with a better token; one refused for its content (400,
413, 422) can never be accepted as it is, so it is moved to
``sync/rejected/`` (kept for a look, never sent again). A fresh batch is
never queued on a refusal: the watermark did not move, so it is built
again next time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hookwise.capture.locations import RepoPaths
from hookwise.errors import AggregatorRefusedError, AggregatorUnreachableError
from hookwise.store.db import Store
from hookwise.sync import watermark
from hookwise.sync.client import post_json
from hookwise.sync.patterns import fix_patterns
from hookwise.sync.queue import Queue, Queued
from hookwise.sync.summaries import attempts_of, day_summaries
from hookwise.sync.wire import (
    MAX_BATCH_BYTES,
    MAX_SUMMARIES,
    WIRE_VERSION,
    DaySummary,
    SummaryBatch,
)

ENDPOINT = "/api/v1/summaries"
SYNC_DIR = "sync"
REJECTED_DIR = "rejected"
#: Split batches well below the server's bound, so a batch never meets a 413.
SPLIT_BYTES = MAX_BATCH_BYTES // 2
#: Refusals for the request's content: the same body can never be accepted.
CONTENT_REFUSALS = frozenset({400, 413, 422})

Post = Callable[[str, str, bytes], Any]


@dataclass
class PushReport:
    repo: str
    url: str
    days: list[str] = field(default_factory=list)  # days sent now (fresh batches)
    patterns: int = 0
    batches: int = 0  # fresh batches accepted
    from_queue: int = 0  # queued batches accepted first
    watermark: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "url": self.url,
            "days": len(self.days),
            "first_day": self.days[0] if self.days else None,
            "last_day": self.days[-1] if self.days else None,
            "patterns": self.patterns,
            "batches": self.batches,
            "from_queue": self.from_queue,
            "watermark": self.watermark,
        }


def sync_dir(paths: RepoPaths) -> Path:
    return paths.hookwise_dir / SYNC_DIR


def payload(batch: SummaryBatch) -> bytes:
    """The exact bytes a batch is sent as (and ``--dry-run`` prints)."""
    return json.dumps(batch.to_json(), ensure_ascii=False, separators=(",", ":")).encode()


def build_batches(
    store: Store, repo: str, *, start: date | None, include_code: bool = False
) -> list[SummaryBatch]:
    """The batches that carry the days from ``start`` on and the fix patterns (none: nothing)."""
    attempts = attempts_of(store)
    summaries = day_summaries(store, repo, start=start, attempts=attempts)
    patterns = fix_patterns(attempts, repo, include_code=include_code)
    if not summaries and not patterns:
        return []
    groups: list[list[DaySummary]] = [[]]
    size = 0
    for summary in summaries:
        one = len(json.dumps(summary.to_json()))
        if groups[-1] and (len(groups[-1]) >= MAX_SUMMARIES or size + one > SPLIT_BYTES):
            groups.append([])
            size = 0
        groups[-1].append(summary)
        size += one
    last = len(groups) - 1
    return [
        SummaryBatch(WIRE_VERSION, tuple(group), tuple(patterns) if i == last else ())
        for i, group in enumerate(groups)
    ]


def plan(
    paths: RepoPaths, repo: str, url: str, *, since: date | None, include_code: bool
) -> list[SummaryBatch]:
    """What a push would send now, after the queue (``--dry-run`` prints it)."""
    start = since or watermark.read(sync_dir(paths), repo, url)
    store = Store.open(paths, create=False, readonly=True)
    return build_batches(store, repo, start=start, include_code=include_code)


def push(
    paths: RepoPaths,
    repo: str,
    url: str,
    token: str,
    *,
    since: date | None = None,
    include_code: bool = False,
    post: Post | None = None,
) -> PushReport:
    """Send the queue, then the days from the watermark on (module docstring)."""
    send: Post = post or (lambda u, t, b: post_json(u, t, b))
    folder = sync_dir(paths)
    queue = Queue(folder, url)
    report = PushReport(repo, url)
    endpoint = url + ENDPOINT
    for entry in queue.batches():
        try:
            send(endpoint, token, entry.body)
        except AggregatorUnreachableError as exc:
            fresh = plan(paths, repo, url, since=since, include_code=include_code)
            raise _queued(queue, repo, fresh, exc) from exc
        except AggregatorRefusedError as exc:
            if exc.status in CONTENT_REFUSALS:
                _set_aside(folder, entry)
            raise
        queue.remove(entry)
        report.from_queue += 1
        if entry.repo == repo and entry.days:
            watermark.advance(folder, repo, url, date.fromisoformat(entry.days[-1]))
    batches = plan(paths, repo, url, since=since, include_code=include_code)
    for i, batch in enumerate(batches):
        try:
            send(endpoint, token, payload(batch))
        except AggregatorUnreachableError as exc:
            raise _queued(queue, repo, batches[i:], exc) from exc
        report.batches += 1
        report.patterns += len(batch.patterns)
        report.days += [s.day.isoformat() for s in batch.summaries]
        if batch.summaries:
            watermark.advance(folder, repo, url, batch.summaries[-1].day)
    found = watermark.read(folder, repo, url)
    report.watermark = found.isoformat() if found else None
    return report


def _days(batch: SummaryBatch) -> list[str]:
    return [s.day.isoformat() for s in batch.summaries]


def _queued(
    queue: Queue, repo: str, batches: list[SummaryBatch], exc: AggregatorUnreachableError
) -> AggregatorUnreachableError:
    """Queue ``batches``; the error that says so."""
    for batch in batches:
        queue.put(repo, _days(batch), payload(batch))
    waiting = len(queue.batches())
    noun = "batch waits" if waiting == 1 else "batches wait"
    return AggregatorUnreachableError(
        queue.url,
        exc.reason,
        queued=f"{waiting} {noun} in {queue.folder} and will be sent first by the next sync",
    )


def _set_aside(folder: Path, entry: Queued) -> None:
    rejected = folder / REJECTED_DIR
    rejected.mkdir(parents=True, exist_ok=True)
    entry.path.replace(rejected / entry.path.name)
