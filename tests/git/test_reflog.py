from __future__ import annotations

from hookwise.git import reflog
from tests.gitrepo import GitRepo


def test_switches_detaches_and_offsets(repo: GitRepo) -> None:
    first = repo.commit("one")
    repo.git("checkout", "-q", "-b", "feature/x")
    repo.commit("two")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "--detach", first)
    repo.git("switch", "-q", "feature/x")
    path = repo.path / ".git" / "logs" / "HEAD"
    entries, end = reflog.read(path)
    events = [e for e in (reflog.to_ref_event("", x, "backfill") for x in entries) if e]
    assert [(e.kind, e.from_ref, e.to_ref) for e in events] == [
        ("switch", "main", "feature/x"),
        ("switch", "feature/x", "main"),
        ("detach", "main", first),
        ("switch", first, "feature/x"),
    ]
    assert len({e.id for e in events}) == 4
    # Nothing new after the end offset; a new line shows up from it.
    assert reflog.read(path, end)[0] == []
    repo.git("checkout", "-q", "main")
    more, _ = reflog.read(path, end)
    assert [reflog.to_ref_event("", x, "backfill").to_ref for x in more] == ["main"]  # type: ignore[union-attr]


def test_clone_is_not_a_switch(repo: GitRepo, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    repo.commit("one")
    dest = tmp_path_factory.mktemp("clone") / "c"
    repo.git("clone", "-q", str(repo.path), str(dest))
    entries, _ = reflog.read(dest / ".git" / "logs" / "HEAD")
    kinds = [e.kind for e in (reflog.to_ref_event("", x, "backfill") for x in entries) if e]
    assert kinds == ["clone"]


def test_ids_are_stable_and_worktree_specific(repo: GitRepo) -> None:
    repo.commit("one")
    repo.git("checkout", "-q", "-b", "b")
    entries, _ = reflog.read(repo.path / ".git" / "logs" / "HEAD")
    entry = entries[-1]
    assert reflog.entry_id("", entry) == reflog.entry_id("", entry)
    assert reflog.entry_id("", entry) != reflog.entry_id("wt", entry)


def test_checking_out_the_current_branch_is_no_switch(repo: GitRepo) -> None:
    repo.commit("one")
    repo.git("checkout", "-q", "-f", "main")
    entries, _ = reflog.read(repo.path / ".git" / "logs" / "HEAD")
    assert any(e.message == "checkout: moving from main to main" for e in entries)
    assert [reflog.to_ref_event("", e, "backfill") for e in entries] == [None, None]


def test_detaching_at_a_tag_or_with_detach_is_no_switch(repo: GitRepo) -> None:
    repo.commit("one")
    repo.git("tag", "v1.0")
    repo.git("checkout", "-q", "v1.0")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "--detach")
    entries, _ = reflog.read(repo.path / ".git" / "logs" / "HEAD")
    events = [reflog.to_ref_event("", e, "backfill", frozenset({"v1.0"})) for e in entries]
    assert [(e.kind, e.to_ref) for e in events if e] == [
        ("detach", "v1.0"),
        ("switch", "main"),
        ("detach", "HEAD"),  # `git checkout --detach` writes "moving from main to HEAD"
    ]
