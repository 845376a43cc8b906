"""The worker runs configured checks again after a commit, and the fix it made is recorded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import check_runs, fix_attempts
from hookwise.worker.drain import drain_now
from hookwise.worker.recheck import STATE_FILE, Rechecker, due_checks, main
from tests.gitrepo import GitRepo
from tests.waiting import wait_for

RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "."]
UNUSED = "import os\nimport sys\n\nprint(sys.argv)\n"
FIXED = "import sys\n\nprint(sys.argv)\n"


def configure(repo: GitRepo, *, recheck: bool = True) -> None:
    toml = f"recheck = {str(recheck).lower()}\nchecks = [{{ command = {json.dumps(RUFF)} }}]\n"
    repo.write(".hookwise.toml", toml)


def hook_check(repo: GitRepo) -> None:
    """The configured checks as the pre-commit hook of ``install --check`` runs them."""
    env = {**os.environ, "HOOKWISE_NO_WORKER": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", "check", "--if-configured"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr  # ruff's, for the unused import
    assert drain_now(discover(repo.path)).check_runs == 1


@pytest.fixture
def checked(repo: GitRepo) -> GitRepo:
    """A repository whose configured ruff found an unused import at its HEAD."""
    configure(repo)
    repo.commit("feat: tool", {"tool.py": UNUSED, "other.py": FIXED})
    hook_check(repo)
    return repo


def rechecked(repo: GitRepo) -> bool:
    """One pass of the idle task, its child waited for and its run stored."""
    paths = discover(repo.path)
    rechecker = Rechecker()
    started = rechecker.when_idle(None, Store.open(paths))
    for child in rechecker.children.values():
        assert child.wait(timeout=60) == 0
    drain_now(paths)
    return started


def test_a_committed_fix_is_recorded_without_another_check(checked: GitRepo) -> None:
    fixing = checked.commit("style: drop os", {"tool.py": FIXED})
    assert rechecked(checked)
    store = Store.open(discover(checked.path), readonly=True)
    # The hook's run at the parent, and the worker's at the fixing commit (both may
    # fall in one second, so their order in the table is not theirs to keep).
    heads = sorted(run["head"] or "" for run in check_runs(store))
    assert heads == sorted([fixing, checked.git("rev-parse", "HEAD~1").strip()])
    [attempt] = fix_attempts(store)
    assert (attempt["rule"], attempt["outcome"], attempt["commit"]) == ("F401", "success", fixing)


def test_the_same_head_is_looked_at_once(checked: GitRepo) -> None:
    checked.commit("style: drop os", {"tool.py": FIXED})
    assert rechecked(checked)
    assert not rechecked(checked)  # HEAD did not move: not even the configuration is read
    state = discover(checked.path).store_dir / STATE_FILE
    assert json.loads(state.read_text())["head"] == checked.git("rev-parse", "HEAD").strip()


def test_a_commit_elsewhere_runs_nothing(checked: GitRepo) -> None:
    head = checked.commit("docs: other", {"other.py": FIXED + "# more\n"})
    assert due_checks(Store.open(discover(checked.path)), checked.path, head) == []


def test_a_branch_switch_is_not_a_fix(checked: GitRepo) -> None:
    checked.git("checkout", "-q", "-b", "side", "HEAD~0")
    checked.git("checkout", "-q", "--orphan", "fresh")
    head = checked.commit("feat: elsewhere", {"tool.py": FIXED})
    assert due_checks(Store.open(discover(checked.path)), checked.path, head) == []


def test_recheck_false_turns_it_off(checked: GitRepo) -> None:
    configure(checked, recheck=False)
    head = checked.commit("style: drop os", {"tool.py": FIXED})
    assert due_checks(Store.open(discover(checked.path)), checked.path, head) == []


def test_a_command_run_by_hand_is_never_run_by_the_worker(repo: GitRepo) -> None:
    repo.commit("feat: tool", {"tool.py": UNUSED})
    subprocess.run(
        [sys.executable, "-m", "hookwise", "check", "--", *RUFF],
        cwd=repo.path,
        env={**os.environ, "HOOKWISE_NO_WORKER": "1"},
        capture_output=True,
        check=False,
    )
    drain_now(discover(repo.path))
    head = repo.commit("style: drop os", {"tool.py": FIXED})
    assert due_checks(Store.open(discover(repo.path)), repo.path, head) == []


def test_the_child_says_how_it_is_called(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["only-one-argument"]) == 2
    assert "usage: python -m hookwise.worker.recheck" in capsys.readouterr().err


def test_a_check_over_its_time_is_stopped_with_what_it_started(repo: GitRepo) -> None:
    repo.commit("feat: start", {"tool.py": FIXED})
    checks = [{"command": ["sh", "-c", "sleep 60 & sleep 60"], "timeout": 1}]
    child = subprocess.Popen(
        [sys.executable, "-m", "hookwise.worker.recheck", str(repo.path), json.dumps(checks)],
        start_new_session=True,
    )
    try:
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()

    def group_gone() -> bool:
        found = subprocess.run(["pgrep", "-g", str(child.pid)], capture_output=True, check=False)
        return found.stdout == b""

    # The checker and its own child went with it (once their new parent reaped them).
    wait_for(group_gone, timeout=10)
