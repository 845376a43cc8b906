from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.history import conflicts as conflicts_module
from hookwise.history.backfill import backfill
from hookwise.history.conflicts import (
    check_pending,
    pending_count,
    pending_merges,
    read_progress,
)
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


def merge_history(repo: GitRepo, count: int, topic: str = "topic") -> list[str]:
    """``count`` merges into main, every other one conflicting in shared.txt."""
    repo.commit("base", {"shared.txt": "0\n"})
    merges = []
    for i in range(count):
        repo.git("checkout", "-q", "-b", f"{topic}{i}")
        if i % 2:
            repo.commit(f"topic {i}", {"shared.txt": f"topic {i}\n"})
            repo.git("checkout", "-q", "main")
            repo.commit(f"main {i}", {"shared.txt": f"main {i}\n"})
            repo.git("merge", "-q", f"{topic}{i}", check=False)
            repo.write("shared.txt", f"resolved {i}\n")
            repo.git("add", "shared.txt")
            repo.git("commit", "-q", "--no-edit")
        else:
            repo.commit(f"{topic} {i}", {f"{topic}{i}.txt": "t\n"})
            repo.git("checkout", "-q", "main")
            repo.git("merge", "-q", "--no-ff", f"{topic}{i}", "-m", f"Merge branch '{topic}{i}'")
        merges.append(repo.head())
    return merges


def merge_tree_says(repo: GitRepo, merge: str) -> bool:
    """git's own answer, merge by merge: exit 1 is a conflicted re-merge, 0 a clean one."""
    proc = subprocess.run(
        ["git", "merge-tree", "--write-tree", f"{merge}^1", f"{merge}^2"],
        cwd=repo.path,
        capture_output=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode == 1


def flags(paths: RepoPaths) -> dict[str, bool | None]:
    store = Store.open(paths)
    table = store.read("commits", "is_merge", columns=["sha", "had_conflicts"])
    return {r["sha"]: r["had_conflicts"] for r in table.to_pylist()}


@pytest.fixture
def pending_repo(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> tuple[RepoPaths, list[str]]:
    """A history backfilled with every merge's check left to the worker."""
    merges = merge_history(repo, 6)
    monkeypatch.setattr(conflicts_module, "INLINE_MERGES", 0)
    paths = discover(repo.path)
    result = backfill(paths)
    assert result.pending_checks == result.merges == 6
    return paths, merges


def test_backfill_leaves_a_big_historys_merges_pending(
    pending_repo: tuple[RepoPaths, list[str]],
) -> None:
    paths, merges = pending_repo
    assert flags(paths) == dict.fromkeys(merges)
    store = Store.open(paths)
    assert pending_count(store) == 6
    # Newest first: recent metrics windows are answered before old history.
    assert [sha for sha, _, _ in pending_merges(store)] == merges[::-1]


def test_checked_flags_equal_git_merge_tree_on_every_merge(
    repo: GitRepo, pending_repo: tuple[RepoPaths, list[str]]
) -> None:
    paths, merges = pending_repo
    result = check_pending(paths, jobs=2, batch=2)
    assert result.checked == 6 and result.conflicted == 3 and result.pending == 0
    stored = flags(paths)
    assert stored == {sha: merge_tree_says(repo, sha) for sha in merges}
    assert sorted(stored.values()) == [False] * 3 + [True] * 3
    conflicted = Store.open(paths).commits_by_sha([merges[1]]).to_pylist()[0]
    assert conflicted["conflict_paths"] == ["shared.txt"]
    progress = read_progress(paths)
    assert progress["done"] is True and progress["checked"] == 6 and progress["pending"] == 0
    # Nothing left: a second run answers nothing and writes nothing.
    version = Store.open(paths).version("commits")
    assert check_pending(paths).checked == 0
    assert Store.open(paths).version("commits") == version


def test_a_round_waits_for_captured_events_first(
    pending_repo: tuple[RepoPaths, list[str]],
) -> None:
    paths, _ = pending_repo
    paths.spool_dir.mkdir(parents=True, exist_ok=True)
    event = paths.spool_dir / "0001-event.json"
    event.write_text("{}")
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        event.unlink()  # the worker ingested it

    check_pending(paths, jobs=1, batch=6, sleep=sleep)
    assert len(waited) == 1
    assert pending_count(Store.open(paths)) == 0


KILLABLE = """
import sys, time
from hookwise.git.repo import discover
from hookwise.history import conflicts

original = conflicts.write_checks
rounds = []

def write_then_hang(store, checks):
    original(store, checks)
    rounds.append(len(checks))
    if len(rounds) == 2:
        print("two rounds written", flush=True)
        time.sleep(600)

conflicts.write_checks = write_then_hang
conflicts.check_pending(discover(sys.argv[1]), jobs=1, batch=1)
"""


def test_a_check_killed_mid_way_resumes_and_loses_no_flag(
    repo: GitRepo, pending_repo: tuple[RepoPaths, list[str]]
) -> None:
    paths, merges = pending_repo
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(repo.path)], stdout=subprocess.PIPE, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == b"two rounds written\n"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    truth = {sha: merge_tree_says(repo, sha) for sha in merges}
    # The kill landed mid-way: two merges answered (rightly), four still pending.
    after_kill = flags(paths)
    answered = {sha: flag for sha, flag in after_kill.items() if flag is not None}
    assert answered == {sha: truth[sha] for sha in merges[-2:]}
    assert pending_count(Store.open(paths)) == 4
    assert json.loads((paths.store_dir / "conflicts.json").read_text())["done"] is False

    started = time.monotonic()
    assert check_pending(paths).checked == 4
    assert time.monotonic() - started < 60
    assert flags(paths) == truth


def test_incremental_backfill_checks_a_fetchs_few_merges_at_once(repo: GitRepo) -> None:
    merges = merge_history(repo, 2)
    paths = discover(repo.path)
    assert backfill(paths).pending_checks == 0
    more = merge_history(repo, 1, topic="later")
    result = backfill(paths)
    assert (result.commits, result.merges, result.pending_checks) == (3, 1, 0)
    assert flags(paths) == {sha: merge_tree_says(repo, sha) for sha in merges + more}
