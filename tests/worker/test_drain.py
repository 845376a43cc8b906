"""Draining a spool: crash-safe, and what cannot be read is set aside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from hookwise.capture import events, registry
from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from hookwise.worker.drain import drain_now
from tests.gitrepo import GitRepo
from tests.worker.history import make_roots


def spool_commits(paths: RepoPaths, shas: list[str]) -> None:
    """A post-commit and a file checkout per commit, as hooks would spool them."""
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


def spooled_commits(paths: RepoPaths) -> set[str]:
    """The shas named by the post-commit events still in the spool."""
    return {p.name.split("-")[2] for p in paths.spool_dir.glob("post-commit-*")}


def inside_a_batch(store: Store, paths: RepoPaths, stored_before: set[str]) -> bool:
    """Has a worker stored a commit (since ``stored_before``) whose event is still spooled?"""
    return bool(spooled_commits(paths) & (store.known_shas() - stored_before))


@pytest.mark.slow
def test_a_sigkill_mid_ingest_loses_and_duplicates_nothing(repo: GitRepo) -> None:
    """Kill the worker between writing a batch and deleting its spool files.

    Every commit is a root, so a batch stores exactly the commits its own
    events name. A commit this worker stored whose post-commit event is
    still spooled therefore proves the worker was inside a batch: it wrote
    to the store and had not yet deleted that batch's files. The test kills
    as soon as it sees that, and after the kill (when nothing can change
    any more) counts the kills that left that proof behind.
    """
    shas = make_roots(repo, 15)
    paths = discover(repo.path)
    spool_commits(paths, shas)
    registry.register(paths.hookwise_dir)
    store = Store.open(paths)  # created here, so no two processes race to create it
    env = dict(os.environ, HOOKWISE_BATCH_EVENTS="6", HOOKWISE_WORKER_IDLE="30")
    cmd = [sys.executable, "-m", "hookwise", "worker", "--foreground"]
    kills = mid_ingest = 0
    for _ in range(20):
        if not spooled_commits(paths):
            break
        stored_before = store.known_shas()
        proc = subprocess.Popen(cmd, env=env)
        try:
            # Polled without a pause: a batch's window is a few tens of ms.
            deadline = time.monotonic() + 60
            while not inside_a_batch(store, paths, stored_before) and spooled_commits(paths):
                assert time.monotonic() < deadline, "the worker ingested nothing for 60 s"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        kills += 1
        mid_ingest += inside_a_batch(store, paths, stored_before)
    assert mid_ingest >= 1, f"none of {kills} kills landed inside a batch"
    drain_now(paths)  # whatever the kills left
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
