"""The worker's loop: batches, compaction, and failures that stay where they happen."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.capture import events, registry
from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.history.status import status
from hookwise.store.db import Store
from hookwise.worker.loop import Worker
from tests.gitrepo import GitRepo
from tests.store.broken import damage
from tests.worker.history import make_history


def drain_one_batch_per_commit(repo: GitRepo, n: int) -> tuple[RepoPaths, Worker]:
    """``n`` commits, each spooled and ingested as a batch of its own by an in-process worker."""
    shas = make_history(repo, n)
    paths = discover(repo.path)
    registry.register(paths.hookwise_dir)
    worker = Worker(idle_seconds=0, poll_seconds=0)
    for i, sha in enumerate(shas):
        text = events.render("post-commit", head=sha, git_dir=str(paths.git_dir))
        events.write(paths.spool_dir, f"post-commit-{sha}-{i}", text)
        assert worker.drain_one(paths.hookwise_dir)
    return paths, worker


def test_the_worker_compacts_after_many_small_batches(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_COMPACT_EVERY", "5")
    paths, _ = drain_one_batch_per_commit(repo, 12)
    stats = Store.open(paths)._table("commits").stats()
    # 12 batches, compacted after the 5th and the 10th: at most 1 + 2 fragments.
    assert stats["num_rows"] == 12
    assert stats["fragment_stats"]["num_fragments"] <= 3


@pytest.mark.parametrize(("keep_hours", "pruned"), [("0", True), ("1", False)])
def test_compaction_prunes_versions_older_than_the_setting(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, keep_hours: str, pruned: bool
) -> None:
    monkeypatch.setenv("HOOKWISE_COMPACT_EVERY", "1000")
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", keep_hours)
    paths, worker = drain_one_batch_per_commit(repo, 4)
    table = Store.open(paths)._table("commits")
    before = len(table.list_versions())
    assert before >= 4
    worker._compact(paths.hookwise_dir)
    after = len(Store.open(paths)._table("commits").list_versions())
    if pruned:
        assert after <= 2  # the compacted version (and the one it replaced at most)
    else:
        assert after > before  # nothing pruned; compaction added a version
    assert Store.open(paths).count("commits") == 4


def test_a_failing_idle_task_is_named_and_does_not_delay_ingest(repo: GitRepo) -> None:
    paths, worker = drain_one_batch_per_commit(repo, 1)
    calls: list[Path] = []

    def index_for_search(worker: Worker, store: Store) -> bool:
        calls.append(store.paths.hookwise_dir)
        raise OSError("disk full")

    worker.idle_tasks = (index_for_search,)
    assert not worker.idle_work(paths.hookwise_dir)
    [line] = paths.log_path.read_text().splitlines()
    assert "worker: idle task" in line and "index_for_search failed" in line
    assert "OSError: disk full" in line
    assert "ingest failed" not in line

    new = repo.commit("after the failure")
    text = events.render("post-commit", head=new, git_dir=str(paths.git_dir))
    events.write(paths.spool_dir, f"post-commit-{new}-new", text)
    assert worker.drain_one(paths.hookwise_dir)  # ingested at once, not in 30 s
    assert new in Store.open(paths).known_shas()
    assert not worker.idle_work(paths.hookwise_dir)  # idle work waits out its back-off
    assert calls == [paths.hookwise_dir]


def test_a_failing_ingest_backs_the_store_off(repo: GitRepo) -> None:
    paths, worker = drain_one_batch_per_commit(repo, 1)
    calls: list[Path] = []

    def embed_when_idle(worker: Worker, store: Store) -> bool:
        calls.append(store.paths.hookwise_dir)
        return False

    worker.idle_tasks = (embed_when_idle,)
    # A damaged table: the store, not the event, is what fails.
    damage(paths, "commits")
    head = repo.head()
    text = events.render("post-commit", head=head, git_dir=str(paths.git_dir))
    events.write(paths.spool_dir, "post-commit-after-damage", text)
    assert not worker.drain_one(paths.hookwise_dir)
    [line] = paths.log_path.read_text().splitlines()
    assert "worker: ingest failed, events stay spooled" in line and "DamagedTableError" in line
    assert (paths.spool_dir / "post-commit-after-damage").exists()
    assert not worker.drain_one(paths.hookwise_dir)  # backed off: not even tried
    assert not worker.idle_work(paths.hookwise_dir)  # idle work reads what ingest writes
    assert calls == []
    assert len(paths.log_path.read_text().splitlines()) == 1


def spool_a_commit(repo: GitRepo, message: str) -> tuple[RepoPaths, str]:
    sha = repo.commit(message)
    paths = discover(repo.path)
    registry.register(paths.hookwise_dir)
    text = events.render("post-commit", head=sha, git_dir=str(paths.git_dir))
    events.write(paths.spool_dir, f"post-commit-{sha}-1", text)
    return paths, sha


def test_a_repository_whose_spool_is_not_a_directory_stops_no_other(tmp_path: Path) -> None:
    """Issue 9, defect 8: one registered repository whose spool path had become
    a file killed the worker at start, and every other repository's events
    waited for ever."""
    broken_repo = GitRepo.init(tmp_path / "a-broken")
    broken, waiting = spool_a_commit(broken_repo, "waits for its spool")
    healthy, sha = spool_a_commit(GitRepo.init(tmp_path / "healthy"), "drained")
    aside = tmp_path / "spool-aside"
    broken.spool_dir.rename(aside)
    broken.spool_dir.write_text("a file where the spool was\n")

    worker = Worker(idle_seconds=0, poll_seconds=0)
    worker.run()
    assert Store.open(healthy).known_shas() == {sha}
    [line] = broken.log_path.read_text().splitlines()
    assert "cannot read the spool" in line and "NotADirectoryError" in line
    assert not worker.drain_one(broken.hookwise_dir)  # backed off: not even tried
    assert len(broken.log_path.read_text().splitlines()) == 1
    assert any("spool" in problem for problem in status(broken).problems)

    broken.spool_dir.unlink()
    aside.rename(broken.spool_dir)
    worker.backoff_until.clear()  # as if the back-off had run out
    assert worker.drain_one(broken.hookwise_dir)
    assert Store.open(broken).known_shas() == {waiting}
