"""The background worker: started by a real hook, crash-safe, one per user."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hookwise.capture import events
from hookwise.capture.locations import RepoPaths
from hookwise.capture.wake import worker_pid
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from hookwise.worker.loop import Worker, drain_now
from tests.gitrepo import GitRepo
from tests.waiting import wait_for


def test_a_hook_starts_the_worker_which_drains_and_exits_when_idle(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_WORKER_IDLE", "2")
    paths = discover(repo.path)
    install(paths)
    shas = [repo.commit(f"commit {i}") for i in range(3)]
    wait_for(lambda: not list(paths.spool_dir.glob("post-*")))
    store = Store.open(paths)
    assert sorted(store.read("commits").column("sha").to_pylist()) == sorted(shas)
    assert worker_pid() is not None
    wait_for(lambda: worker_pid() is None, timeout=30)


def test_only_one_worker_runs(repo: GitRepo, state_dir: Path) -> None:
    cmd = [sys.executable, "-m", "hookwise", "worker", "--foreground", "--idle", "30"]
    first = subprocess.Popen(cmd)
    try:
        wait_for(lambda: worker_pid() == first.pid)
        second = subprocess.run(cmd, timeout=30)
        assert second.returncode == 0  # found the lock taken and left quietly
        assert worker_pid() == first.pid
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
    assert not (state_dir / "worker.pid").exists()


def make_history(repo: GitRepo, n: int) -> list[str]:
    """n commits, fast: one fast-import instead of n `git commit` runs."""
    lines = []
    for i in range(n):
        lines += [
            "commit refs/heads/main",
            f"mark :{i + 1}",
            f"committer Ada <ada@example.com> {1_700_000_000 + i * 60} +0000",
            f"data {len(f'commit {i}')}",
            f"commit {i}",
        ]
        if i:
            lines.append(f"from :{i}")
        lines += [f"M 644 inline f{i}.txt", f"data {len(str(i))}", str(i), ""]
    repo.git("fast-import", "--quiet", input="\n".join(lines) + "\n")
    return repo.git("rev-list", "--reverse", "main").split()


@pytest.mark.slow
def test_sigkill_at_any_moment_loses_and_duplicates_nothing(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = make_history(repo, 120)
    paths = discover(repo.path)
    for i, sha in enumerate(shas):
        events.write(
            paths.spool_dir,
            f"post-commit-{sha}-{i}",
            events.render(
                "post-commit", head=sha, ref="refs/heads/main", git_dir=str(paths.git_dir)
            ),
        )
        # File checkouts carry no reflog line, so their ids are the spool names:
        # every one must be stored exactly once.
        events.write(
            paths.spool_dir,
            f"post-checkout-{sha}-{i}",
            events.render("post-checkout", [sha, sha, "0"], head=sha, git_dir=str(paths.git_dir)),
        )
    from hookwise.capture import registry

    registry.register(paths.hookwise_dir)
    env = dict(os.environ, HOOKWISE_BATCH_EVENTS="7", HOOKWISE_WORKER_IDLE="30")
    cmd = [sys.executable, "-m", "hookwise", "worker", "--foreground"]
    kills = 0
    delays = [0.3, 1.9, 0.8, 2.5, 1.2, 2.0, 0.6, 1.5]
    for attempt in range(40):
        if not list(paths.spool_dir.glob("post-*")):
            break
        proc = subprocess.Popen(cmd, env=env)
        time.sleep(delays[attempt % len(delays)])
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    drain_now(paths)  # whatever the kills left
    assert kills >= 3
    store = Store.open(paths)
    stored = store.read("commits").column("sha").to_pylist()
    assert sorted(stored) == sorted(shas)
    ids = store.read("ref_events").column("id").to_pylist()
    assert len(ids) == len(set(ids)) == len(shas)
    assert not list(paths.spool_dir.glob("post-*"))


def test_a_corrupt_spool_event_is_set_aside_and_the_rest_ingested(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    paths = discover(repo.path)
    install(paths)
    good = repo.commit("good")
    (paths.spool_dir / "post-commit-garbage-1").write_text("this is not an event\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", "worker", "--once", "--repo", str(repo.path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert "corrupt spool event" in line and str(paths.corrupt_dir) in line
    assert (paths.corrupt_dir / "post-commit-garbage-1").read_text() == "this is not an event\n"
    assert Store.open(paths).read("commits").column("sha").to_pylist() == [good]
    assert "not a hookwise 1 event" in (paths.log_path).read_text()


def test_an_event_still_being_written_is_left_for_later(repo: GitRepo) -> None:
    repo.commit("one")
    paths = discover(repo.path)
    paths.spool_dir.mkdir(parents=True)
    half = paths.spool_dir / "post-commit-half-1"
    half.write_text("hookwise 1\nhook post-commit\n")  # no `end` yet
    result = drain_now(paths)
    assert result.events == 0 and result.corrupt == []
    assert half.exists()


def drain_one_batch_per_commit(repo: GitRepo, n: int) -> tuple[RepoPaths, Worker]:
    """``n`` commits, each spooled and ingested as a batch of its own by an in-process worker."""
    from hookwise.capture import registry

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


def test_the_worker_answers_on_its_socket(state_dir: Path) -> None:
    from hookwise.capture import rpc
    from hookwise.errors import WorkerError

    assert rpc.call("ping", {}) is None  # nobody listening
    proc = subprocess.Popen([sys.executable, "-m", "hookwise", "worker", "--foreground"])
    try:
        wait_for(lambda: rpc.socket_path().exists())
        assert rpc.call("ping", {}) == {"pid": proc.pid}
        with pytest.raises(WorkerError, match="unknown operation 'nope'"):
            rpc.call("nope", {})
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert not rpc.socket_path().exists()
    assert rpc.call("ping", {}) is None
