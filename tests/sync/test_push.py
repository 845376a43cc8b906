"""Pushing to a real aggregator (`hookwise serve` on loopback): watermark, queue, refusals."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.errors import AggregatorRefusedError, AggregatorUnreachableError
from hookwise.history.backfill import backfill
from hookwise.sync import watermark
from hookwise.sync.client import post_json
from hookwise.sync.push import push, sync_dir
from hookwise.sync.queue import Queue
from hookwise.sync.wire import SummaryBatch
from tests.gitrepo import GitRepo
from tests.server.conftest import free_port
from tests.sync.aggregator import Aggregator, running_aggregator

pytest.importorskip("fastapi", reason="needs the server extra")


class Recorder:
    """The real client, its sent bodies kept, its waits skipped."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def __call__(self, url: str, token: str, body: bytes) -> object:
        self.sent.append(body)
        return post_json(url, token, body, sleep=lambda _: None)

    @property
    def bodies(self) -> list[SummaryBatch]:
        return [SummaryBatch.from_json(json.loads(body)) for body in self.sent]

    def days(self) -> list[str]:
        return [s.day.isoformat() for b in self.bodies for s in b.summaries]


def test_a_push_shows_in_the_portfolio(week: RepoPaths, aggregator: Aggregator) -> None:
    report = push(week, "shown", aggregator.url, aggregator.token, post=Recorder())
    assert report.days == ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"]
    assert (report.batches, report.patterns, report.watermark) == (1, 2, "2024-03-07")
    repos = aggregator.get("/api/v1/portfolio?until=2024-03-07&days=4")["repos"]
    [repo] = [r for r in repos if r["repo"] == "shown"]
    assert repo["commits"] == 11
    assert [d["commits"] for d in repo["days"]] == [3, 1, 3, 4]
    assert repo["active_authors"] == 2
    health = aggregator.get("/api/v1/repos/shown/health?until=2024-03-07")
    assert health["score"] is not None


def test_the_next_push_starts_at_the_watermark_and_replaces_that_day(
    week: RepoPaths, repo: GitRepo, aggregator: Aggregator
) -> None:
    push(week, "grown", aggregator.url, aggregator.token, post=Recorder())
    # Thursday grows after the first sync, and Friday begins.
    repo.commit("docs: late on thursday", {"late.txt": "1\n"}, date="2024-03-07 23:00 +0100")
    repo.commit("feat: friday", {"fri.txt": "1\n"}, date="2024-03-08 09:00 +0100")
    backfill(week)
    second = Recorder()
    report = push(week, "grown", aggregator.url, aggregator.token, post=second)
    assert second.days() == ["2024-03-07", "2024-03-08"]
    assert report.watermark == "2024-03-08"
    # One row per day: Thursday replaced (4 -> 5 commits), never added twice.
    assert aggregator.rows("grown") == [
        ("2024-03-04", 3),
        ("2024-03-05", 1),
        ("2024-03-06", 3),
        ("2024-03-07", 5),
        ("2024-03-08", 1),
    ]
    # Sending every day again changes nothing.
    again = Recorder()
    push(week, "grown", aggregator.url, aggregator.token, since=date(2024, 3, 4), post=again)
    assert len(again.days()) == 5
    assert len(aggregator.rows("grown")) == 5


def test_unreachable_queues_and_the_next_push_sends_the_queue_first(
    week: RepoPaths, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"  # nothing listens there yet
    queue = Queue(sync_dir(week), url)
    with pytest.raises(AggregatorUnreachableError) as caught:
        push(week, "week", url, "hw_none", post=Recorder())
    assert "connection refused" in str(caught.value)
    assert f"1 batch waits in {queue.folder}" in str(caught.value)
    [queued] = queue.batches()
    assert queued.days == ("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07")
    assert watermark.read(sync_dir(week), "week", url) is None
    # Still down: the new batch supersedes the old one, the queue does not grow.
    with pytest.raises(AggregatorUnreachableError):
        push(week, "week", url, "hw_none", post=Recorder())
    assert len(queue.batches()) == 1

    folder = tmp_path / "aggregator"
    folder.mkdir()
    with running_aggregator(folder, port=port) as aggregator:
        sent = Recorder()
        report = push(week, "week", url, aggregator.token, post=sent)
        assert report.from_queue == 1
        assert queue.batches() == []
        assert len(sent.bodies) == 2  # the queued batch, then the days from the watermark
        assert sent.days()[-1] == "2024-03-07"
        assert [day for day, _ in aggregator.rows("week")] == [
            "2024-03-04",
            "2024-03-05",
            "2024-03-06",
            "2024-03-07",
        ]


def test_a_refused_token_keeps_the_queue(week: RepoPaths, aggregator: Aggregator) -> None:
    queue = Queue(sync_dir(week), aggregator.url)
    queue.put("refused", ["2024-03-04"], b'{"version":1,"summaries":[],"patterns":[]}')
    calls = Recorder()
    with pytest.raises(AggregatorRefusedError) as caught:
        push(week, "refused", aggregator.url, "hw_not-a-token", post=calls)
    assert caught.value.status == 401
    assert "unknown or revoked" in str(caught.value)
    assert len(calls.sent) == 1  # not retried, and nothing after it
    assert len(queue.batches()) == 1
    assert aggregator.rows("refused") == []


def test_a_token_of_another_repository_is_refused(week: RepoPaths, aggregator: Aggregator) -> None:
    from tests.sync.aggregator import make_token

    other = make_token(aggregator.db, repo="other")
    with pytest.raises(AggregatorRefusedError) as caught:
        push(week, "scoped", aggregator.url, other, post=Recorder())
    assert caught.value.status == 403
    assert watermark.read(sync_dir(week), "scoped", aggregator.url) is None


def test_a_refused_payload_is_set_aside_not_lost(week: RepoPaths, aggregator: Aggregator) -> None:
    queue = Queue(sync_dir(week), aggregator.url)
    bad = b'{"version":1,"summaries":[{"repo":"aside"}],"patterns":[]}'
    queue.put("aside", ["2024-03-04"], bad)
    with pytest.raises(AggregatorRefusedError) as caught:
        push(week, "aside", aggregator.url, aggregator.token, post=Recorder())
    assert caught.value.status == 422
    assert "summaries[0]" in str(caught.value)
    assert queue.batches() == []
    [kept] = (sync_dir(week) / "rejected").iterdir()
    assert kept.read_bytes().endswith(bad)
    # The next push goes on with the days themselves.
    push(week, "aside", aggregator.url, aggregator.token, post=Recorder())
    assert len(aggregator.rows("aside")) == 4
