"""The worker process: started by a real hook, one per user, gone when idle."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.capture import events, registry
from hookwise.capture.wake import worker_pid
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.waiting import wait_for


def test_a_hook_starts_the_worker_which_drains_and_exits_when_idle(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_WORKER_IDLE", "2")
    paths = discover(repo.path)
    install(paths)
    shas = [repo.commit(f"commit {i}") for i in range(3)]
    # Nothing but a worker drains the spool here: that it empties proves a
    # hook started one. Whether it is still running by now depends on how
    # busy the machine is (it leaves after 2 idle seconds), so that is not asked.
    wait_for(lambda: not list(paths.spool_dir.glob("post-*")))
    store = Store.open(paths)
    assert sorted(store.read("commits").column("sha").to_pylist()) == sorted(shas)
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


def test_a_repository_that_cannot_be_registered_stops_no_other(
    repo: GitRepo, tmp_path: Path
) -> None:
    """Issue 9, defect 8: the hook of a broken repository starts the worker
    with ``--register``; failing to register it must not stop the worker."""
    sha = repo.commit("one")
    paths = discover(repo.path)
    registry.register(paths.hookwise_dir)
    events.write(
        paths.spool_dir,
        f"post-commit-{sha}-1",
        events.render("post-commit", head=sha, git_dir=str(paths.git_dir)),
    )
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("not a git directory\n")
    cmd = [sys.executable, "-m", "hookwise", "worker", "--foreground", "--idle", "0"]
    proc = subprocess.run(
        [*cmd, "--register", str(not_a_directory / "hookwise")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert Store.open(paths).known_shas() == {sha}
