"""Settings read from the environment (and later from git config).

Standard library only.
"""

from __future__ import annotations

import os


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        return default


def worker_idle_seconds() -> float:
    """How long the worker waits for new events before it exits."""
    return _float("HOOKWISE_WORKER_IDLE", 600.0)


def worker_poll_seconds() -> float:
    """How often the worker looks at the spools when nothing woke it."""
    return _float("HOOKWISE_WORKER_POLL", 0.25)


def compact_every_batches() -> int:
    """Compact a store's tables after this many ingested batches."""
    return int(_float("HOOKWISE_COMPACT_EVERY", 50))


def worker_batch_events() -> int:
    """The most events one batch (one store commit) ingests."""
    return max(1, int(_float("HOOKWISE_BATCH_EVENTS", 500)))


def keep_versions_hours() -> float:
    """Table versions younger than this survive the worker's compaction (as ``gc --keep``).

    LanceDB keeps every version a write makes (and every vector or text
    index a rebuild replaced) for seven days unless told otherwise; a busy
    repository would carry a week of them.
    """
    return max(0.0, _float("HOOKWISE_KEEP_VERSIONS_HOURS", 1.0))


def capture_disabled() -> bool:
    return os.environ.get("HOOKWISE_DISABLE", "") not in ("", "0")


def worker_disabled() -> bool:
    """HOOKWISE_NO_WORKER: spool events but never start the worker (tests, benchmarks)."""
    return os.environ.get("HOOKWISE_NO_WORKER", "") not in ("", "0")


def worker_embed_threads() -> str:
    """Threads the worker embeds with in the background (``HOOKWISE_WORKER_EMBED_THREADS``).

    One by default: the worker fills vectors behind the developer's back, so
    it leaves the other cores to them. Measured on two cores with another
    process busy: the numpy runtime embeds at 0.88x its two-thread rate on one
    thread, while two threads fighting a busy core can drop to a fifth.
    ``HOOKWISE_EMBED_THREADS`` (every embedding, any process) wins over it.
    """
    return os.environ.get("HOOKWISE_WORKER_EMBED_THREADS", "").strip() or "1"
