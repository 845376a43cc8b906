"""Capture under fire: worktrees committing and switching at once while the worker is killed.

The spool is the write-ahead log (DESIGN §2): whatever happens to the
worker, every commit is stored exactly once with the branch it was made
on, every switch is recorded, and nothing is set aside as corrupt.

The default size runs in about a minute; a longer run, as quoted in the
issue notes, is one command:

    HOOKWISE_FAULT_COMMITS=130 HOOKWISE_FAULT_MIN_KILLS=200 \\
        python -m pytest tests/worker/test_faults.py -m slow -s
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from hookwise.capture.wake import worker_pid
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from tests.gitrepo import GitRepo

WORKTREES = 8
# Per worktree; the kills are spread over however long that takes.
COMMITS = int(os.environ.get("HOOKWISE_FAULT_COMMITS", "15"))
MIN_KILLS = int(os.environ.get("HOOKWISE_FAULT_MIN_KILLS", "5"))
SWITCH_EVERY = 4  # a worktree switches to a new topic branch after every 4th commit
DEADLINE_SECONDS = 900.0

# One worktree's day: commit, and every few commits switch to a new branch.
SCRIPT = """\
set -e
i=0
branch=$1
while [ "$i" -lt "$2" ]; do
    i=$((i + 1))
    echo "$branch $i" > "work-$branch.txt"
    git add "work-$branch.txt"
    git commit -q -m "$branch: change $i"
    if [ $((i % $3)) -eq 0 ] && [ "$i" -lt "$2" ]; then
        branch="$1-topic-$i"
        git switch -q -c "$branch"
    fi
done
"""


class Killer:
    """SIGKILLs whatever worker runs, at random moments, until stopped."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.kills = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(self.random.uniform(0.02, 0.25)):
            pid = worker_pid()
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            self.kills += 1


@pytest.mark.slow
def test_worktrees_committing_while_the_worker_is_killed_lose_nothing(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers started by hooks exit quickly once idle, so there is often one to kill.
    monkeypatch.setenv("HOOKWISE_WORKER_IDLE", "5")
    paths = discover(repo.path)
    install(paths)
    repo.commit("root")
    names = [f"w{i}" for i in range(WORKTREES)]
    trees = []
    for name in names:
        tree = tmp_path / name
        repo.git("worktree", "add", "-q", "-b", name, str(tree))
        trees.append(tree)
    script = tmp_path / "work.sh"
    script.write_text(SCRIPT)

    killer = Killer(seed=20261129)
    killer.thread.start()
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            ["sh", str(script), name, str(COMMITS), str(SWITCH_EVERY)],
            cwd=tree,
            env=repo.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, tree in zip(names, trees, strict=True)
    ]
    outputs = [p.communicate(timeout=DEADLINE_SECONDS)[0] for p in procs]
    # Keep killing until enough kills landed (the longer run asks for many).
    while killer.kills < MIN_KILLS and time.monotonic() - started < DEADLINE_SECONDS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "hookwise",
                "worker",
                "--detach",
                "--register",
                str(paths.hookwise_dir),
            ],
            check=False,
        )
        time.sleep(0.3)
    killer.stop.set()
    killer.thread.join()
    assert [p.returncode for p in procs] == [0] * WORKTREES, outputs
    # Hooks never print: a worker killed mid-way is nobody's business at commit time.
    assert outputs == [""] * WORKTREES
    assert killer.kills >= MIN_KILLS

    # Whatever the kills left spooled, a drain now ingests.
    drained = subprocess.run(
        [sys.executable, "-m", "hookwise", "worker", "--once", "--repo", str(repo.path)],
        capture_output=True,
        text=True,
    )
    assert drained.returncode == 0, drained.stderr

    # Each worktree's HEAD reflog, oldest first, says what it did: a commit
    # on the branch it was on, or a switch to a new branch.
    expected_branch: dict[str, str] = {}
    expected_switches: Counter[str] = Counter()
    for name, tree in zip(names, trees, strict=True):
        branch = name
        reflog = repo.git("reflog", "show", "--format=%H %gs", "HEAD", cwd=tree)
        for line in reversed(reflog.splitlines()):
            sha, _, action = line.partition(" ")
            if action.startswith("checkout: moving from"):
                branch = action.rsplit(" ", 1)[-1]
                expected_switches[name] += 1
            elif action.startswith("commit:"):
                expected_branch[sha] = branch
    assert len(expected_branch) == WORKTREES * COMMITS

    store = Store.open(paths)
    commits = store.read("commits", columns=["sha", "branch", "source"]).to_pylist()
    counted = Counter(row["sha"] for row in commits)
    assert not [sha for sha, n in counted.items() if n > 1]  # nothing twice
    stored = {row["sha"]: row for row in commits}
    missing = [sha for sha in expected_branch if sha not in stored]
    assert not missing  # nothing lost
    wrong = {
        sha: (stored[sha]["branch"], branch)
        for sha, branch in expected_branch.items()
        if stored[sha]["branch"] != branch
    }
    assert not wrong  # every commit with the branch it was made on
    switches = store.read("ref_events", "kind = 'switch'", columns=["worktree"]).to_pylist()
    assert Counter(row["worktree"] for row in switches) == expected_switches
    assert not paths.corrupt_dir.exists() or not list(paths.corrupt_dir.iterdir())
    assert not [p for p in paths.spool_dir.iterdir() if not p.name.startswith(".")]
    print(
        f"\n{len(expected_branch)} commits in {WORKTREES} worktrees, "
        f"{sum(expected_switches.values())} switches, {killer.kills} kills: "
        f"{len(stored)} commit rows, {len(switches)} switch rows, "
        f"{time.monotonic() - started:.0f}s"
    )
