"""Draining a spool: crash-safe, and what cannot be read is set aside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from hookwise.capture import events, registry
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from hookwise.worker.drain import drain_now
from tests.gitrepo import GitRepo
from tests.worker.history import make_history


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
