from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill, serve_backfill
from hookwise.store.db import Store
from tests.git.test_conflicts import conflicted_merge
from tests.gitrepo import GitRepo


def rows(repo: GitRepo, table: str = "commits") -> dict[str, dict[str, object]]:
    store = Store.open(discover(repo.path))
    key = "sha" if table == "commits" else "id"
    return {r[key]: r for r in store.read(table).to_pylist()}


def test_backfill_history_with_merges_conflicts_and_branches(repo: GitRepo) -> None:
    conflicted = conflicted_merge(repo)
    repo.git("checkout", "-q", "-b", "feature")
    feature_commit = repo.commit("feat(api)!: new endpoint", {"api.py": "x = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge branch 'feature'")
    clean = repo.head()
    repo.git("branch", "-q", "-D", "feature")  # merged and deleted, like most branches

    result = backfill(discover(repo.path))

    commits = rows(repo)
    assert result.commits == len(commits) == 6
    assert result.merges == 2
    assert result.conflicted == 1
    assert commits[conflicted]["had_conflicts"] is True
    assert commits[conflicted]["conflict_paths"] == ["shared.txt"]
    assert commits[clean]["had_conflicts"] is False
    assert commits[clean]["is_merge"] is True
    non_merges = [r for r in commits.values() if not r["is_merge"]]
    assert all(r["had_conflicts"] is None for r in non_merges)
    assert all(r["source"] == "backfill" and r["rewritten"] is False for r in commits.values())
    # The deleted branch is named from its merge commit's subject.
    assert commits[feature_commit]["branch"] == "feature"
    assert commits[clean]["branch"] == "main"
    assert commits[feature_commit]["cc_type"] == "feat"
    assert commits[feature_commit]["cc_scope"] == "api"
    assert commits[feature_commit]["cc_breaking"] is True
    assert commits[conflicted]["cc_category"] == "merge"


def test_backfill_is_incremental(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        repo.commit(f"commit {i}")
    paths = discover(repo.path)
    assert backfill(paths).commits == 5

    import hookwise.history.backfill as service

    read: list[int] = []
    original = service.stream_commits

    def counting(repo_path: Path, shas: list[str], **kw: object) -> object:
        read.append(len(shas))
        return original(repo_path, shas, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "stream_commits", counting)
    assert backfill(paths).commits == 0
    assert read == [0]
    repo.commit("commit 5")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("commit 6")
    assert backfill(paths).commits == 2
    assert read == [0, 2]
    assert len(rows(repo)) == 7
    state = json.loads((paths.store_dir / "backfill.json").read_text())
    assert state["tips"]["refs/heads/side"] == repo.head()


def test_backfill_reads_branch_switches_from_the_reflog_once(repo: GitRepo) -> None:
    repo.commit("one")
    repo.git("checkout", "-q", "-b", "topic")
    repo.git("checkout", "-q", "main")
    paths = discover(repo.path)
    assert backfill(paths).ref_events == 2
    events = rows(repo, "ref_events")
    assert sorted((e["from"], e["to"]) for e in events.values()) == [
        ("main", "topic"),
        ("topic", "main"),
    ]
    assert {e["kind"] for e in events.values()} == {"switch"}
    assert backfill(paths).ref_events == 0
    repo.git("checkout", "-q", "topic")
    assert backfill(paths).ref_events == 1
    assert len(rows(repo, "ref_events")) == 3


def test_backfill_covers_linked_worktrees(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("one")
    wt = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "wt-branch", str(wt))
    other = GitRepo(wt)
    made_there = other.commit("made in the worktree")
    other.git("checkout", "-q", "--detach")
    detached = other.commit("detached work")
    result = backfill(discover(repo.path))
    commits = rows(repo)
    assert made_there in commits
    assert detached in commits  # reachable only from the worktree's HEAD
    assert result.commits == 3


def test_backfill_progress_reports_every_commit(repo: GitRepo) -> None:
    for i in range(3):
        repo.commit(f"c{i}")
    seen: list[tuple[str, int, int]] = []
    backfill(discover(repo.path), progress=lambda *a: seen.append(a))
    assert seen[0] == ("commits", 0, 3)
    assert sum(advance for _, advance, _ in seen) == 3


def test_empty_repository(repo: GitRepo) -> None:
    result = backfill(discover(repo.path))
    assert (result.commits, result.ref_events) == (0, 0)


def test_a_store_moved_aside_is_rebuilt_whole(repo: GitRepo, tmp_path: Path) -> None:
    """The documented recovery: move the store aside, run backfill, get everything back."""
    for i in range(3):
        repo.commit(f"c{i}")
    repo.git("checkout", "-q", "-b", "side")
    repo.git("checkout", "-q", "main")
    paths = discover(repo.path)
    first = backfill(paths)
    assert (first.commits, first.ref_events) == (3, 2)  # two switches
    paths.store_dir.rename(tmp_path / "store-aside")
    again = backfill(paths)
    assert (again.commits, again.ref_events) == (3, 2)
    assert len(rows(repo)) == 3


def test_an_emptied_store_is_backfilled_again(repo: GitRepo) -> None:
    """State that says everything was read is ignored when the store holds no commit."""
    for i in range(2):
        repo.commit(f"c{i}")
    paths = discover(repo.path)
    backfill(paths)
    # The table is gone (deleted by hand, or by a repair); opening recreates it empty.
    shutil.rmtree(paths.store_dir / "commits.lance")
    assert Store.open(paths).count("commits") == 0
    assert backfill(paths).commits == 2
    assert len(rows(repo)) == 2


def test_the_worker_operation_answers_what_backfill_returns(repo: GitRepo) -> None:
    repo.commit("one")
    paths = discover(repo.path)
    backfill(paths)
    repo.commit("two")
    repo.git("checkout", "-q", "-b", "topic")
    args = {"hookwise_dir": str(paths.hookwise_dir), "worktree": str(repo.path)}

    answer = serve_backfill(args)

    assert (answer["commits"], answer["merges"], answer["ref_events"]) == (1, 0, 1)
    assert answer["seconds"] >= 0
    assert len(rows(repo)) == 2
    assert serve_backfill(args)["commits"] == 0


def test_the_worker_operation_answers_a_handled_error_as_one(tmp_path: Path) -> None:
    answer = serve_backfill({"hookwise_dir": str(tmp_path / "not-a-repo" / "hookwise")})
    assert answer["kind"] == "NotARepositoryError"
    assert answer["error"]


@pytest.mark.parametrize("lookup", [0, 1000])
def test_what_is_stored_is_skipped_however_it_is_looked_up(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, lookup: int
) -> None:
    """A walk up to ``LOOKUP_SHAS`` asks the store for its shas; a longer one reads them all."""
    import hookwise.history.backfill as service

    monkeypatch.setattr(service, "LOOKUP_SHAS", lookup)
    repo.commit("one")
    paths = discover(repo.path)
    backfill(paths)
    repo.commit("two")
    # The state forgets its tips, so the walk starts again from the root.
    state = json.loads((paths.store_dir / "backfill.json").read_text())
    (paths.store_dir / "backfill.json").write_text(json.dumps({**state, "tips": {}}))
    assert backfill(paths).commits == 1
    assert len(rows(repo)) == 2
