"""The on-disk queue: whole files, oldest first, superseded and bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.sync import queue as queue_module
from hookwise.sync import watermark
from hookwise.sync.queue import Queue

URL = "http://agg:8765"


def test_oldest_first_and_per_aggregator(tmp_path: Path) -> None:
    q = Queue(tmp_path, URL)
    q.put("api", ["2026-11-01"], b"one")
    q.put("web", ["2026-11-01"], b"two")
    assert [b.body for b in q.batches()] == [b"one", b"two"]
    assert Queue(tmp_path, "http://other:1").batches() == []
    q.remove(q.batches()[0])
    assert [b.body for b in q.batches()] == [b"two"]
    assert not [p for p in q.folder.iterdir() if p.name.endswith(".tmp")]


def test_a_batch_that_covers_older_ones_supersedes_them(tmp_path: Path) -> None:
    q = Queue(tmp_path, URL)
    q.put("api", ["2026-11-01", "2026-11-02"], b"old")
    q.put("api", ["2026-11-03"], b"other days")
    q.put("api", ["2026-11-01", "2026-11-02", "2026-11-04"], b"new")
    assert [b.body for b in q.batches()] == [b"other days", b"new"]


def test_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_module, "MAX_BATCHES", 3)
    q = Queue(tmp_path, URL)
    for n in range(5):
        q.put("api", [f"2026-11-0{n + 1}"], str(n).encode())
    assert [b.body for b in q.batches()] == [b"2", b"3", b"4"]


def test_a_damaged_file_is_left_alone(tmp_path: Path) -> None:
    q = Queue(tmp_path, URL)
    q.put("api", ["2026-11-01"], b"good")
    (q.folder / "00000000000000000001-1.json").write_bytes(b"not a header")
    assert [b.body for b in q.batches()] == [b"good"]


def test_the_watermark_never_moves_back(tmp_path: Path) -> None:
    from datetime import date

    assert watermark.read(tmp_path, "api", URL) is None
    watermark.advance(tmp_path, "api", URL, date(2026, 11, 5))
    watermark.advance(tmp_path, "api", URL, date(2026, 11, 3))
    assert watermark.read(tmp_path, "api", URL) == date(2026, 11, 5)
    assert watermark.read(tmp_path, "api", "http://other:1") is None
