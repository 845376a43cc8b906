"""Batches the aggregator could not take yet, on disk, sent oldest first next time.

One file per batch under ``.git/hookwise/sync/queue/<aggregator>/``, where
``<aggregator>`` is a hash of its URL (a batch goes where it was meant to
go; the token is never stored, the next sync brings its own). A file is
written under a temporary name and renamed, so a reader sees a whole
batch or none; names start with the time in nanoseconds, so their order
is the order they were queued.

Bounded: when a batch is queued, older batches whose days it covers are
superseded (it holds the same days, built later) and removed; beyond
``MAX_BATCHES`` files or ``MAX_BYTES`` the oldest are dropped. Dropping
loses nothing the store still has: the watermark never moved past a
queued batch, so its days are built again by the next sync.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUEUE_DIR = "queue"
MAX_BATCHES = 50
# 50 full batches of a big repository are ~75 MB; a queue this large means
# the aggregator has been gone for weeks, and the store can rebuild it all.
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Queued:
    path: Path
    repo: str
    days: tuple[str, ...]  # the days the batch summarises, sorted
    body: bytes  # the JSON payload, exactly as it will be sent


class Queue:
    """The queue of one repository for one aggregator URL."""

    def __init__(self, sync_dir: Path, url: str) -> None:
        self.url = url
        self.folder = sync_dir / QUEUE_DIR / hashlib.sha256(url.encode()).hexdigest()[:16]

    def batches(self) -> list[Queued]:
        """The queued batches, oldest first; a damaged file is left out (and left alone)."""
        found = []
        for path in self._files():
            entry = _load(path)
            if entry is not None:
                found.append(entry)
        return found

    def put(self, repo: str, days: list[str], body: bytes) -> Path:
        """Queue ``body``; drop what it supersedes, then the oldest beyond the bounds."""
        self.folder.mkdir(parents=True, exist_ok=True)
        covered = set(days)
        for old in self.batches():
            if old.repo == repo and set(old.days) <= covered:
                old.path.unlink(missing_ok=True)
        path = self.folder / f"{time.time_ns():020d}-{os.getpid()}.json"
        header = json.dumps({"url": self.url, "repo": repo, "days": sorted(days)})
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_bytes(header.encode() + b"\n" + body)
            tmp.replace(path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self._bound()
        return path

    def remove(self, entry: Queued) -> None:
        entry.path.unlink(missing_ok=True)

    def _files(self) -> list[Path]:
        try:
            return sorted(p for p in self.folder.iterdir() if p.suffix == ".json")
        except FileNotFoundError:
            return []

    def _bound(self) -> None:
        files = self._files()
        sizes = [p.stat().st_size for p in files]
        while files and (len(files) > MAX_BATCHES or sum(sizes) > MAX_BYTES):
            files.pop(0).unlink(missing_ok=True)
            sizes.pop(0)


def _load(path: Path) -> Queued | None:
    try:
        raw = path.read_bytes()
        header_line, body = raw.split(b"\n", 1)
        header: Any = json.loads(header_line)
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict):
        return None
    return Queued(path, str(header.get("repo", "")), tuple(header.get("days", ())), body)
