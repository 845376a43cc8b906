"""Learning in the worker: a request picked up by the idle task, served by a niced child."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hookwise.fixes.learn import LearnOptions, learn, pending_request, request
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import FixAttemptRow, fix_attempts
from hookwise.worker import tasks
from hookwise.worker.learning import Learner, main
from tests.fixes.history import make_history
from tests.gitrepo import GitRepo


def _fix(row: FixAttemptRow) -> tuple[object, ...]:
    """An attempt as a repository's clone also mines it: everything but its id and project."""
    context = {k: v for k, v in json.loads(row["context"] or "{}").items() if k != "project"}
    kept = {k: v for k, v in row.items() if k not in {"id", "context", "recorded_at"}}
    return (*sorted(kept.items()), *sorted(context.items()))


def test_the_worker_path_stores_what_the_foreground_stores(repo: GitRepo, tmp_path: Path) -> None:
    make_history(repo)
    twin = GitRepo(tmp_path / "twin")
    repo.git("clone", "-q", str(repo.path), str(twin.path))
    learn(discover(twin.path), LearnOptions())
    # The same fixes, but for the project: each store's context names its own repository.
    expected = {_fix(row) for row in fix_attempts(Store.open(discover(twin.path)))}
    assert len(expected) == 3

    paths = discover(repo.path)
    store = Store.open(paths)
    learner = Learner()
    assert not learner.when_idle(None, store)  # nothing asked
    request(paths, LearnOptions())
    assert learner.when_idle(None, store)
    child = learner.children[paths.hookwise_dir]
    assert child.wait(timeout=120) == 0
    assert pending_request(paths) is None
    assert {_fix(row) for row in fix_attempts(Store.open(paths))} == expected
    assert not learner.when_idle(None, store)  # the ended child is reaped
    assert paths.hookwise_dir not in learner.children


def test_the_idle_task_is_in_the_workers_table() -> None:
    table = tasks.build()
    try:
        assert any(getattr(t, "__name__", "") == "when_idle" for t in table.idle_tasks[2:])
    finally:
        table.close()


def test_a_request_that_cannot_be_served_is_logged_and_removed(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.commit("first", {"a.js": "var a = 1;\n"})
    paths = discover(repo.path)
    Store.open(paths)
    request(paths, LearnOptions(tools=("eslint",)))
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    child = subprocess.run(
        [sys.executable, "-m", "hookwise.worker.learning", str(paths.hookwise_dir)],
        env={**os.environ, "PATH": f"{empty}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 1, child.stderr
    assert pending_request(paths) is None
    assert "worker: learning from history failed: eslint: command not found" in (
        paths.log_path.read_text()
    )
    assert main([]) == 2  # usage, before anything is niced or read
