"""``hookwise status`` on stores it cannot fully read: it says what is wrong and goes on."""

from __future__ import annotations

import json
import os
import time

import pytest

from hookwise.git.repo import discover
from hookwise.worker.drain import drain_now
from tests.gitrepo import GitRepo
from tests.store.broken import damage, delete, hookwise, read_only


def backfilled(repo: GitRepo, commits: int = 3) -> None:
    for i in range(commits):
        repo.commit(f"feat: change {i}")
    proc = hookwise("backfill", "-q", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr


def status_json(repo: GitRepo) -> dict[str, object]:
    proc = hookwise("status", "--json", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    report: dict[str, object] = json.loads(proc.stdout)
    return report


def test_status_names_a_damaged_table_and_gives_every_other_figure(repo: GitRepo) -> None:
    backfilled(repo)
    paths = discover(repo.path)
    damage(paths, "commits")
    report = status_json(repo)
    assert report["damaged_tables"] == ["commits"]
    assert report["missing_tables"] == []
    assert report["rows"] == {
        "ref_events": 0,
        "commit_vectors": 0,
        "clicks": 0,
        "check_runs": 0,
        "findings": 0,
        "fix_attempts": 0,
        "patterns": 0,
    }
    [problem] = report["problems"]  # type: ignore[misc]
    assert "commits table is damaged" in problem
    assert "run `hookwise doctor --repair` to rebuild it from git" in problem
    assert report["schema_version"] == 4
    assert report["store_bytes"] > 0  # type: ignore[operator]
    assert report["spool_backlog"] == 0 and report["hooks"]


def test_status_shows_a_deleted_table_as_missing_not_empty(repo: GitRepo) -> None:
    backfilled(repo)
    paths = discover(repo.path)
    delete(paths, "ref_events")
    report = status_json(repo)
    assert report["missing_tables"] == ["ref_events"]
    assert "ref_events" not in report["rows"]  # type: ignore[operator]
    assert report["rows"]["commits"] == 3  # type: ignore[index]
    [problem] = report["problems"]  # type: ignore[misc]
    assert "ref_events table is missing" in problem and "hookwise doctor --repair" in problem
    assert not (paths.store_dir / "ref_events.lance").exists()  # status created nothing


def test_status_only_reads_a_read_only_store(repo: GitRepo) -> None:
    backfilled(repo)
    paths = discover(repo.path)
    with read_only(paths.store_dir):
        report = status_json(repo)
    assert report["rows"]["commits"] == 3  # type: ignore[index]
    assert report["problems"] == []


def test_status_counts_the_events_the_worker_set_aside(repo: GitRepo) -> None:
    backfilled(repo)
    paths = discover(repo.path)
    garbage = paths.spool_dir / "post-commit-garbage-1"
    garbage.parent.mkdir(parents=True, exist_ok=True)
    garbage.write_text("this is not an event\n")
    os.utime(garbage, (time.time() - 3600, time.time() - 3600))
    assert drain_now(paths).corrupt == [garbage.name]
    report = status_json(repo)
    assert report["corrupt_events"] == 1
    [problem] = report["problems"]  # type: ignore[misc]
    assert "1 spool event was set aside" in problem
    assert str(paths.corrupt_dir) in problem and str(paths.log_path) in problem


def test_status_reports_a_spool_that_is_not_a_directory(repo: GitRepo) -> None:
    """Issue 9, defect 8: the worker skips such a repository; status must say why."""
    backfilled(repo)
    paths = discover(repo.path)
    paths.spool_dir.mkdir(parents=True, exist_ok=True)
    paths.spool_dir.rmdir()
    paths.spool_dir.write_text("a file where the spool was\n")
    report = status_json(repo)
    assert report["rows"]["commits"] == 3  # type: ignore[index]
    assert report["spool_backlog"] == 0
    assert "not a directory" in str(report["spool_error"])
    [problem] = report["problems"]  # type: ignore[misc]
    assert str(paths.spool_dir) in problem and "move it aside" in problem


def test_status_shows_when_each_maintenance_job_last_ran_and_what_it_did(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.history.status import MAINTENANCE_JOBS, status
    from hookwise.store.db import Store
    from hookwise.store.fixes import CheckRunRow, add_check_run
    from hookwise.worker.maintenance import Maintenance

    monkeypatch.setenv("HOOKWISE_CHECK_RUNS_DAYS", "10")
    backfilled(repo)
    paths = discover(repo.path)
    never = {"last_run": None, "last_checked": None, "did": {}}
    assert status(paths).maintenance == dict.fromkeys(MAINTENANCE_JOBS, never)

    store = Store.open(paths)
    now = 1_800_000_000
    run = CheckRunRow(
        id="old",
        tool="ruff",
        command=["ruff"],
        exit_code=1,
        duration_ms=1,
        head=None,
        time=now - 11 * 86_400,
        finding_count=0,
    )
    add_check_run(store, run, [])
    Maintenance(clock=lambda: now).when_idle(store)
    shown = status(paths).maintenance
    assert shown["retention"] == {
        "last_run": now,
        "last_checked": now,
        "did": {"runs_deleted": 1, "findings_deleted": 0},
    }
    assert shown["compaction"]["last_run"] == now
    assert shown["compaction"]["did"]["tables"] >= 1
    assert shown["reembedding"] == never  # nothing embedded yet: nothing can be stale
    assert status_json(repo)["maintenance"] == shown


def test_status_shows_the_merges_that_wait_for_a_conflict_check_and_the_rate(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from hookwise.cli import main
    from hookwise.history import backfill as backfill_module
    from hookwise.history import conflicts as conflicts_module
    from hookwise.history.conflicts import check_pending
    from hookwise.history.status import status
    from tests.history.test_conflicts import merge_history

    merge_history(repo, 4)
    monkeypatch.setattr(conflicts_module, "INLINE_MERGES", 0)
    paths = discover(repo.path)
    backfill_module.backfill(paths)
    assert status(paths).conflict_checks == {"pending": 4, "rate": None, "running": False}
    shown = CliRunner().invoke(main, ["status", "--repo", str(repo.path)]).output
    assert "4 merges wait for a conflict check" in " ".join(shown.split())

    check_pending(paths, jobs=1, batch=2)
    checks = status(paths).conflict_checks
    assert checks is not None and checks["pending"] == 0 and checks["rate"] > 0
    assert status_json(repo)["conflict_checks"] == checks
