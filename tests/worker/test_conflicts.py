"""The worker's conflict checks: pending merges answered by a niced child, one per store."""

from __future__ import annotations

import fcntl
import os

import pytest

from hookwise.git.repo import discover
from hookwise.history import backfill as backfill_module
from hookwise.history import conflicts as conflicts_module
from hookwise.history.conflicts import pending_count
from hookwise.store.db import Store
from hookwise.worker import tasks
from hookwise.worker.conflicts import LOCK_FILE, ConflictChecker, main
from tests.gitrepo import GitRepo
from tests.history.test_conflicts import flags, merge_history, merge_tree_says


def test_the_idle_task_answers_pending_merges_in_a_child_then_rests(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    merges = merge_history(repo, 4)
    paths = discover(repo.path)
    monkeypatch.setattr(conflicts_module, "INLINE_MERGES", 0)
    backfill_module.backfill(paths)
    store = Store.open(paths)
    assert pending_count(store) == 4

    checker = ConflictChecker()
    assert checker.when_idle(None, store)
    child = checker.children[paths.hookwise_dir]
    assert not checker.when_idle(None, store)  # one child per store at a time
    child.wait(timeout=120)
    assert child.returncode == 0
    assert flags(paths) == {sha: merge_tree_says(repo, sha) for sha in merges}
    # Done: the table changed only by the child's writes, so nothing is started
    # and nothing is counted (one version read).
    assert not checker.when_idle(None, store)
    assert paths.hookwise_dir not in checker.children
    assert checker.settled[paths.hookwise_dir] == store.version("commits")


def test_a_store_without_pending_merges_starts_no_child(repo: GitRepo) -> None:
    merge_history(repo, 2)
    paths = discover(repo.path)
    backfill_module.backfill(paths)  # two merges: checked during the run
    checker = ConflictChecker()
    assert not checker.when_idle(None, Store.open(paths))
    assert checker.children == {}


def test_a_second_child_leaves_the_store_to_the_first(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    merge_history(repo, 2)
    paths = discover(repo.path)
    monkeypatch.setattr(conflicts_module, "INLINE_MERGES", 0)
    backfill_module.backfill(paths)
    fd = os.open(paths.hookwise_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first child's lock
        assert main([str(paths.hookwise_dir)]) == 0
        assert pending_count(Store.open(paths)) == 2
    finally:
        os.close(fd)


def test_usage() -> None:
    assert main([]) == 2


def test_the_task_is_registered() -> None:
    tables = tasks.build()
    try:
        names = [getattr(t, "__qualname__", "") for t in tables.idle_tasks]
        assert "ConflictChecker.when_idle" in names
    finally:
        tables.close()
