"""Draining a spool: crash-safe, and what cannot be read is set aside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from hookwise.capture import events, registry
from hookwise.capture.locations import RepoPaths
from hookwise.errors import SpoolError
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from hookwise.worker.drain import INCOMPLETE_GRACE_SECONDS, drain_now, read_batch
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


def age(path: Path, seconds: float) -> None:
    """Make ``path`` look ``seconds`` old to the worker."""
    when = time.time() - seconds
    os.utime(path, (when, when))


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
    garbage = paths.spool_dir / "post-commit-garbage-1"
    garbage.write_text("this is not an event\n")
    age(garbage, 60)  # older than the grace period: no hook is still writing it
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", "worker", "--once", "--repo", str(repo.path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert "1 spooled event could not be stored and was set aside in" in line
    assert str(paths.corrupt_dir) in line
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


@pytest.mark.parametrize("text", ["", "hookw", "hookwise 1\nhook post-com"])
def test_a_young_file_is_left_for_later_whatever_is_wrong_with_it(repo: GitRepo, text: str) -> None:
    """Issue 9, defect 3: an empty or half-written file failed the header check
    before the "still being written" one and was set aside at once."""
    repo.commit("one")
    paths = discover(repo.path)
    paths.spool_dir.mkdir(parents=True)
    young = paths.spool_dir / "post-commit-young-1"
    young.write_text(text)
    result = drain_now(paths)
    assert result.corrupt == []
    assert young.read_text() == text
    age(young, INCOMPLETE_GRACE_SECONDS + 30)
    assert drain_now(paths).corrupt == ["post-commit-young-1"]
    assert (paths.corrupt_dir / "post-commit-young-1").read_text() == text


def test_temporary_files_a_crashed_hook_left_are_removed_once_old(repo: GitRepo) -> None:
    sha = repo.commit("one")
    paths = discover(repo.path)
    spool_commits(paths, [sha])
    stale = paths.spool_dir / ".event-post-commit-1234"
    stale.write_text("hookwise 1\nhook post-commit\n")
    age(stale, 2 * 3600)
    being_written = paths.spool_dir / ".event-post-commit-5678"
    being_written.write_text("hookwise 1\n")
    age(being_written, 60)
    drain_now(paths)
    assert not stale.exists()
    assert being_written.read_text() == "hookwise 1\n"
    assert not list(paths.spool_dir.glob("post-*"))


def bad_checkout(repo: GitRepo, paths: RepoPaths, name: str, sha: str) -> str:
    """A checkout event naming a git directory that is a file: it cannot be ingested."""
    not_a_git_dir = repo.path.parent / f"{name}.not-a-git-dir"
    not_a_git_dir.write_text("a file\n")
    text = events.render("post-checkout", [sha, sha, "1"], head=sha, git_dir=str(not_a_git_dir))
    return Path(events.write(paths.spool_dir, name, text)).name


def test_an_event_that_fails_ingest_is_set_aside_and_its_batch_goes_on(repo: GitRepo) -> None:
    """Issue 9, defect 1: one event failing ingest failed its whole batch, which
    was retried for ever while every later event waited behind it."""
    shas = make_roots(repo, 4)
    paths = discover(repo.path)
    spool_commits(paths, shas[:2])
    bad = bad_checkout(repo, paths, "post-checkout-bad-1", shas[0])
    spool_commits(paths, shas[2:])
    result = drain_now(paths)
    assert result.corrupt == [bad]
    assert sorted(Store.open(paths).known_shas()) == sorted(shas)
    assert (paths.corrupt_dir / bad).exists()
    assert not [p for p in paths.spool_dir.iterdir() if not p.name.startswith(".")]
    [line] = [line for line in paths.log_path.read_text().splitlines() if bad in line]
    assert "NotADirectoryError" in line and str(paths.corrupt_dir) in line


def test_events_are_set_aside_only_when_the_rest_of_their_batch_was_ingested(
    repo: GitRepo,
) -> None:
    """When every event of a batch fails, the fault may be the repository's,
    not theirs: they stay spooled until an event ingested beside them proves it."""
    [sha] = make_roots(repo, 1)
    paths = discover(repo.path)
    bad = [bad_checkout(repo, paths, f"post-checkout-bad-{i}", sha) for i in range(2)]
    with pytest.raises(SpoolError, match="NotADirectoryError") as raised:
        drain_now(paths)
    assert isinstance(raised.value.__cause__, NotADirectoryError)
    assert sorted(p.name for p in paths.spool_dir.iterdir()) == bad
    assert not paths.corrupt_dir.exists()
    spool_commits(paths, [sha])
    assert sorted(drain_now(paths).corrupt) == bad
    assert Store.open(paths).known_shas() == {sha}


def test_an_event_over_the_size_bound_is_set_aside_unread(repo: GitRepo) -> None:
    """Issue 9, defect 7: a 205 MB event took 19 s and 2.5 GB to read whole.

    The big event is sparse (no disk used) and would parse as a valid event
    if it were read: that it is set aside, and that reading the spool stays
    within a few MiB, proves it never was.
    """
    shas = make_roots(repo, 2)
    paths = discover(repo.path)
    spool_commits(paths, shas)
    big = paths.spool_dir / "post-commit-big-1"
    with big.open("wb") as fh:
        fh.write(f"hookwise 1\nhook post-commit\nhead {shas[0]}\n".encode())
        fh.seek(64 * 2**20)
        fh.write(b"\nend\n")
    tracemalloc.start()
    try:
        batch = read_batch(paths)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20
    assert big.name in batch.corrupt
    assert not big.exists() and (paths.corrupt_dir / big.name).stat().st_size > 64 * 2**20
    assert "larger than" in paths.log_path.read_text()
    drain_now(paths)
    assert Store.open(paths).known_shas() == set(shas)
