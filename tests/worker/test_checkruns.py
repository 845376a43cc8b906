"""Check runs reach the store through the spool and the worker: once, whatever crashes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hookwise.capture import checkrun, registry
from hookwise.capture.locations import RepoPaths
from hookwise.capture.wake import worker_pid
from hookwise.git.repo import discover
from hookwise.store.db import Store, exclusive
from hookwise.store.fixes import (
    CheckRunRow,
    FindingRow,
    check_runs,
    findings_of,
    fix_attempts,
)
from hookwise.worker import checkruns
from hookwise.worker.drain import INCOMPLETE_GRACE_SECONDS, drain_now
from tests.gitrepo import GitRepo
from tests.learning.shown import shown_item
from tests.waiting import wait_for


def spool_run(paths: RepoPaths, run_id: str, n: int = 2) -> Path:
    run: CheckRunRow = {
        "id": run_id,
        "tool": "ruff",
        "command": ["ruff", "check", "."],
        "exit_code": 1,
        "duration_ms": 5,
        "head": None,
        "time": 1_700_000_000,
        "finding_count": n,
    }
    findings: list[FindingRow] = [
        {
            "run_id": run_id,
            "tool": "ruff",
            "rule": "F401",
            "message": f"`m{i}` imported but unused",
            "path": "mod.py",
            "line": i + 1,
            "fingerprint": f"{i:020x}",
            "snippet": f"import m{i}",
            "language": "python",
            "fixable": True,
            "time": 1_700_000_000,
        }
        for i in range(n)
    ]
    path, _ = checkrun.write(paths.spool_dir, dict(run), findings)
    return Path(path)


@pytest.fixture
def paths(repo: GitRepo) -> RepoPaths:
    repo.commit("first")
    return discover(repo.path)


def test_a_spooled_run_is_stored_and_leaves_the_spool(paths: RepoPaths) -> None:
    spool_run(paths, "r1", n=3)
    result = drain_now(paths)
    assert (result.check_runs, result.events, result.corrupt) == (1, 0, [])
    store = Store.open(paths, readonly=True)
    [run] = check_runs(store)
    assert (run["id"], run["finding_count"]) == ("r1", 3)
    assert [f["line"] for f in findings_of(store, "r1")] == [1, 2, 3]
    assert not list(paths.spool_dir.iterdir())


def test_a_run_stored_again_after_a_crash_is_stored_once(paths: RepoPaths, tmp_path: Path) -> None:
    """A worker killed after the store committed and before it deleted the file
    leaves exactly this: the run stored, and its file still spooled."""
    path = spool_run(paths, "r1")
    kept = tmp_path / path.name
    shutil.copy(path, kept)
    drain_now(paths)
    shutil.copy(kept, path)
    assert drain_now(paths).check_runs == 1
    store = Store.open(paths, readonly=True)
    assert [r["id"] for r in check_runs(store)] == ["r1"]
    assert len(findings_of(store, "r1")) == 2


def test_fix_detection_is_called_after_each_stored_run(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []

    def detect(
        store: Store, at: RepoPaths, run: CheckRunRow, found: list[FindingRow], *, folder: str
    ) -> None:
        assert [r["id"] for r in check_runs(store)].count(run["id"]) == 1  # stored first
        assert folder == ""  # spooled without a folder: the worktree's top
        seen.append((run["id"], len(found)))

    monkeypatch.setattr(checkruns, "after_check_run", detect)
    spool_run(paths, "r1", n=1)
    spool_run(paths, "r2", n=2)
    drain_now(paths)
    assert sorted(seen) == [("r1", 1), ("r2", 2)]


def test_a_failing_detection_is_logged_and_the_run_stays_stored(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def detect(*args: object, **kwargs: object) -> None:
        raise RuntimeError("detector broke")

    monkeypatch.setattr(checkruns, "after_check_run", detect)
    spool_run(paths, "r1")
    assert drain_now(paths).check_runs == 1
    assert "detector broke" in paths.log_path.read_text()
    assert not list(paths.spool_dir.iterdir())


def _check(repo: GitRepo) -> None:
    """``hookwise check -- ruff`` as a user runs it, its run spooled for the worker."""
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "."]
    env = {**os.environ, "HOOKWISE_NO_WORKER": "1"}
    subprocess.run(
        [sys.executable, "-m", "hookwise", "check", "--", *ruff],
        cwd=repo.path,
        env=env,
        capture_output=True,
        check=False,
    )


def test_a_fix_between_two_checks_is_recorded_by_the_worker(repo: GitRepo) -> None:
    repo.commit("feat: tool", {"tool.py": "import os\nimport sys\n\nprint(sys.argv)\n"})
    paths = discover(repo.path)
    _check(repo)
    drain_now(paths)
    fixed = repo.commit("style: drop os", {"tool.py": "import sys\n\nprint(sys.argv)\n"})
    _check(repo)
    assert drain_now(paths).check_runs == 1
    [attempt] = fix_attempts(Store.open(paths, readonly=True))
    assert (attempt["rule"], attempt["outcome"], attempt["source"]) == ("F401", "success", "auto")
    assert (attempt["commit"], attempt["kind"]) == (fixed, "imports")
    assert "-import os" in (attempt["diff"] or "")


def test_an_uncommitted_fix_is_seen_through_the_worktree_the_run_names(repo: GitRepo) -> None:
    repo.commit("feat: tool", {"tool.py": "import os\nimport sys\n\nprint(sys.argv)\n"})
    paths = discover(repo.path)
    _check(repo)
    drain_now(paths)
    repo.write("tool.py", "import sys\n\nprint(sys.argv)\n")
    _check(repo)
    drain_now(paths)
    [attempt] = fix_attempts(Store.open(paths, readonly=True))
    assert (attempt["outcome"], attempt["commit"]) == ("success", None)


def test_an_unreadable_run_is_set_aside_once_old(paths: RepoPaths) -> None:
    path = spool_run(paths, "r1")
    path.write_text(path.read_text().replace('"end"', '"fin"'))
    assert drain_now(paths).corrupt == []  # young: maybe still being written
    when = time.time() - INCOMPLETE_GRACE_SECONDS - 1
    os.utime(path, (when, when))
    assert drain_now(paths).corrupt == [path.name]
    assert (paths.corrupt_dir / path.name).exists()


def test_a_run_with_foreign_columns_is_set_aside(paths: RepoPaths) -> None:
    path = paths.spool_dir / "check-run-bad"
    text, _ = checkrun.render({"id": "bad", "tool": "x"}, [])
    paths.spool_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    when = time.time() - INCOMPLETE_GRACE_SECONDS - 1
    os.utime(path, (when, when))
    assert drain_now(paths).corrupt == [path.name]


def test_a_run_survives_a_killed_worker_in_the_spool(paths: RepoPaths) -> None:
    """The store is locked, so the worker cannot have stored the run when it is killed."""
    path = spool_run(paths, "r1")
    registry.register(paths.hookwise_dir)
    Store.open(paths)
    cmd = [sys.executable, "-m", "hookwise", "worker", "--foreground", "--idle", "60"]
    with exclusive(paths.hookwise_dir / "store.lock"):
        worker = subprocess.Popen(cmd)
        try:
            wait_for(lambda: worker_pid() == worker.pid)
            time.sleep(1.5)  # rounds in which it tries the store and finds it locked
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    assert path.exists()
    assert check_runs(Store.open(paths, readonly=True)) == []
    drain_now(paths)
    assert [r["id"] for r in check_runs(Store.open(paths, readonly=True))] == ["r1"]


def test_what_a_check_showed_is_stored_as_pending_after_its_run(paths: RepoPaths) -> None:
    spool_run(paths, "r1", n=1)
    checkrun.write_shown(paths.spool_dir, "r1", 1_700_000_000, [shown_item()])
    result = drain_now(paths)
    assert (result.check_runs, result.corrupt) == (1, [])
    store = Store.open(paths, readonly=True)
    [row] = fix_attempts(store, source="suggested")
    assert (row["outcome"], row["time"]) == ("pending", 1_700_000_000)
    assert not list(paths.spool_dir.iterdir())


def test_a_shown_file_hookwise_cannot_read_is_set_aside_at_once(paths: RepoPaths) -> None:
    bad = {**shown_item(), "strategies": "s"}
    path = Path(checkrun.write_shown(paths.spool_dir, "r1", 1_700_000_000, [bad]))
    assert drain_now(paths).corrupt == [path.name]
    assert (paths.corrupt_dir / path.name).exists()
    assert not (paths.spool_dir / path.name).exists()
    assert f"spool {path.name}: a shown finding needs" in paths.log_path.read_text()


def test_a_shown_file_that_fails_otherwise_is_set_aside_and_later_runs_are_stored(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("pending broke")

    monkeypatch.setattr(checkruns, "store_shown", broken)
    path = Path(checkrun.write_shown(paths.spool_dir, "r0", 1_700_000_000, [shown_item()]))
    os.utime(path, (1, 1))  # spooled before the run below
    spool_run(paths, "r1")
    result = drain_now(paths)
    assert (result.check_runs, result.corrupt) == (1, [path.name])
    assert "RuntimeError: pending broke" in paths.log_path.read_text()
