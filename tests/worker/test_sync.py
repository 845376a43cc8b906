"""The worker's scheduled sync, driven with a fake clock: due, not due, failing, unconfigured."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.store.db import Store
from hookwise.sync.push import sync_dir
from hookwise.sync.queue import Queue
from hookwise.worker.sync import Syncer, worktree_of
from tests.gitrepo import GitRepo
from tests.insights.test_metrics import week_of_work
from tests.server.conftest import free_port
from tests.sync.aggregator import Aggregator, running_aggregator
from tests.sync.history import add_checks_and_fixes

pytest.importorskip("fastapi", reason="needs the server extra")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def aggregator(tmp_path: Path) -> Iterator[Aggregator]:
    folder = tmp_path / "aggregator"
    folder.mkdir()
    with running_aggregator(folder) as running:
        yield running


def scheduled(repo: GitRepo, minutes: int = 30) -> Store:
    week_of_work(repo)
    repo.write("pyproject.toml", f"[tool.hookwise.sync]\nschedule_minutes = {minutes}\n")
    paths = discover(repo.path)
    backfill(paths)
    store = Store.open(paths)
    add_checks_and_fixes(store, date(2024, 3, 7))
    # The worker knows a store only by its .git/hookwise folder.
    return Store.open(type(paths).for_hookwise_dir(paths.hookwise_dir))


def finish(syncer: Syncer, store: Store) -> int:
    return syncer.children[store.paths.hookwise_dir].wait(timeout=120)


def test_a_sync_runs_each_period(
    repo: GitRepo, aggregator: Aggregator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_SYNC_URL", aggregator.url)
    monkeypatch.setenv("HOOKWISE_SYNC_TOKEN", aggregator.token)
    store = scheduled(repo)
    assert worktree_of(store.paths) == repo.path
    clock = Clock()
    syncer = Syncer(clock)
    assert syncer.when_idle(None, store) is True
    assert finish(syncer, store) == 0
    assert len(aggregator.rows("repo")) == 4  # named after the folder: no origin
    clock.now += 29 * 60
    assert syncer.when_idle(None, store) is False  # not due yet
    clock.now += 2 * 60
    assert syncer.when_idle(None, store) is True
    assert finish(syncer, store) == 0


def test_a_failing_sync_is_logged_queued_and_retried_next_period(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("HOOKWISE_SYNC_URL", url)
    monkeypatch.setenv("HOOKWISE_SYNC_TOKEN", "hw_later")
    store = scheduled(repo, minutes=5)
    clock = Clock()
    syncer = Syncer(clock)
    assert syncer.when_idle(None, store) is True
    assert finish(syncer, store) == 1
    log = (store.paths.hookwise_dir / "log").read_text()
    assert f"worker: scheduled sync failed: the aggregator at {url} cannot be reached" in log
    assert len(Queue(sync_dir(store.paths), url).batches()) == 1
    folder = tmp_path / "aggregator"
    folder.mkdir()
    with running_aggregator(folder, port=port) as aggregator:
        monkeypatch.setenv("HOOKWISE_SYNC_TOKEN", aggregator.token)
        assert syncer.when_idle(None, store) is False  # the period has not passed
        clock.now += 5 * 60
        assert syncer.when_idle(None, store) is True
        assert finish(syncer, store) == 0
        assert Queue(sync_dir(store.paths), url).batches() == []
        assert len(aggregator.rows("repo")) == 4


def test_nothing_runs_unconfigured(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_SYNC_URL", "http://127.0.0.1:1")
    repo.commit("first")
    store = Store.open(discover(repo.path))
    assert Syncer(Clock()).when_idle(None, store) is False  # no schedule_minutes
    repo.write("pyproject.toml", "[tool.hookwise.sync]\nschedule_minutes = 10\n")
    assert Syncer(Clock()).when_idle(None, store) is False  # no token in the environment


def test_a_bad_table_is_logged_not_raised(repo: GitRepo) -> None:
    repo.commit("first")
    repo.write("pyproject.toml", '[tool.hookwise.sync]\nschedule_minutes = 10\ntoken = "x"\n')
    store = Store.open(discover(repo.path))
    syncer = Syncer(Clock())
    assert syncer.when_idle(None, store) is False
    assert syncer.when_idle(None, store) is False
    log = (store.paths.hookwise_dir / "log").read_text()
    # Once, not once a poll: the file has not changed since.
    assert log.count("scheduled sync: pyproject.toml: [tool.hookwise] sync.token") == 1
