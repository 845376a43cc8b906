"""A full disk, a read-only disk, a damaged or deleted table: one line that says
what to do, the right exit code, and nothing stored lost.

Each test drives the real ``hookwise`` command against a real repository and
store, broken as in ``tests.store.broken``.
"""

from __future__ import annotations

import json

import pytest

from hookwise.capture.events import list_spool
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.store.broken import damage, fill, hookwise, one_line, read_only, small_disk


@pytest.fixture
def backfilled(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """Three commits read into the store; hooks spool but start no worker."""
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    for i in range(3):
        repo.commit(f"feat: change {i}", {f"f{i}.txt": f"{i}\n"})
    proc = hookwise("backfill", "-q", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    return repo


@pytest.mark.parametrize(
    "command",
    [["metrics"], ["export", "commits"], ["search", "change"], ["show", "HEAD"]],
    ids=lambda c: c[0],
)
def test_a_damaged_table_is_named_with_its_remedy(backfilled: GitRepo, command: list[str]) -> None:
    damage(discover(backfilled.path), "commits")
    proc = hookwise(*command, "--repo", str(backfilled.path))
    if command[0] == "show":  # reads git, not the damaged table
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode == 1
    assert one_line(proc) == (
        "hookwise: the store's commits table is damaged and cannot be read; "
        "run `hookwise doctor --repair` to rebuild it from git"
    )


FULL = "hookwise: the disk that holds the store at {} is full; free some space on it and try again"


def test_a_full_disk_loses_no_spooled_event(backfilled: GitRepo) -> None:
    repo = backfilled
    paths = discover(repo.path)
    install(paths)
    later = [repo.commit(f"fix: later {i}", {f"g{i}.txt": "g\n"}) for i in range(2)]
    spooled = sorted(f.path.name for f in list_spool(paths.spool_dir))
    assert len(spooled) == 2
    with small_disk(paths.store_dir, "8m"):
        filler = fill(paths.store_dir)
        for command in (["worker", "--once"], ["backfill"], ["search", "later"]):
            proc = hookwise(*command, "--repo", str(repo.path))
            assert proc.returncode == 1, (command, proc.stderr)
            assert one_line(proc) == FULL.format(paths.store_dir), command
        assert sorted(f.path.name for f in list_spool(paths.spool_dir)) == spooled
        filler.unlink()
        proc = hookwise("worker", "--once", "--repo", str(repo.path))
        assert proc.returncode == 0, proc.stderr
        assert list_spool(paths.spool_dir) == []
        store = Store.open(paths, readonly=True)
        assert set(later) <= store.known_shas()
        assert store.count("commits") == 5
        report = json.loads(hookwise("status", "--json", "--repo", str(repo.path)).stdout)
        assert report["problems"] == [] and report["rows"]["commits"] == 5


def test_read_commands_only_read_a_read_only_store(backfilled: GitRepo) -> None:
    repo = backfilled
    paths = discover(repo.path)
    out = paths.common_dir.parent / "report.html"
    with read_only(paths.store_dir):
        for command in (
            ["export", "commits"],
            ["metrics", "--json"],
            ["health", "--json"],
            ["report", "-o", str(out)],
            ["show", "HEAD"],
            ["search", "change", "--json"],
        ):
            proc = hookwise(*command, "--repo", str(repo.path))
            assert proc.returncode == 0, (command, proc.stderr)
            assert proc.stdout or command[0] == "report", command
        repo.commit("feat: one more")
        proc = hookwise("backfill", "--repo", str(repo.path))
        assert proc.returncode == 1
        assert one_line(proc).startswith(
            f"hookwise: cannot write to the store at {paths.store_dir}"
        )
    assert out.is_file()
