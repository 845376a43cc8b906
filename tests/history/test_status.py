"""``hookwise status`` on stores it cannot fully read: it says what is wrong and goes on."""

from __future__ import annotations

import json

from hookwise.git.repo import discover
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
    assert report["rows"] == {"ref_events": 0, "commit_vectors": 0, "clicks": 0}
    [problem] = report["problems"]  # type: ignore[misc]
    assert "commits table is damaged" in problem
    assert "run `hookwise doctor --repair` to rebuild it from git" in problem
    assert report["schema_version"] == 2
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
