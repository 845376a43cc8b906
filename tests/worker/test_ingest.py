"""Live capture, end to end: real git commands fire the installed native hooks,
which spool events; the worker's drain puts them in a real LanceDB store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hookwise.capture import events
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from hookwise.worker.drain import drain_now
from hookwise.worker.ingest import unseen_old
from tests.gitrepo import GitRepo
from tests.worker.history import make_history, make_roots


@pytest.fixture
def live(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    # Hooks spool only; each test drains in-process, so results are deterministic.
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    install(discover(repo.path))
    return repo


def drain(repo: GitRepo) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    paths = discover(repo.path)
    result = drain_now(paths)
    assert result.corrupt == []
    assert not list(paths.spool_dir.glob("post-*")), "spool not drained"
    store = Store.open(paths)
    commits = {r["sha"]: r for r in store.read("commits").to_pylist()}
    ref_events = sorted(store.read("ref_events").to_pylist(), key=lambda r: (r["time"], r["id"]))
    return commits, ref_events


def kinds(ref_events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in ref_events]


def test_ordinary_commits(live: GitRepo) -> None:
    first = live.commit("feat: first")
    second = live.commit("second, not conventional")
    commits, ref_events = drain(live)
    assert set(commits) == {first, second}
    assert commits[first]["source"] == "hook"
    assert commits[first]["branch"] == "main"
    assert commits[first]["action"] == "commit (initial)"
    assert commits[second]["action"] == "commit"
    assert commits[first]["cc_valid"] is True
    assert commits[second]["cc_valid"] is False
    assert commits[second]["parents"] == [first]
    assert ref_events == []


def test_clean_merge_fires_post_merge(live: GitRepo) -> None:
    live.commit("base", {"a": "a\n"})
    live.git("checkout", "-q", "-b", "topic")
    topic = live.commit("topic", {"b": "b\n"})
    live.git("checkout", "-q", "main")
    live.commit("main", {"c": "c\n"})
    live.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    merge = live.head()
    commits, ref_events = drain(live)
    assert commits[merge]["is_merge"] is True
    assert commits[merge]["had_conflicts"] is False
    assert commits[merge]["action"] == "merge"
    assert topic in commits
    assert kinds(ref_events) == ["switch", "switch", "merge"]
    assert ref_events[-1]["to_sha"] == merge


def test_conflicted_merge_is_concluded_by_a_commit(live: GitRepo) -> None:
    live.commit("base", {"shared.txt": "one\n"})
    live.git("checkout", "-q", "-b", "topic")
    live.commit("topic", {"shared.txt": "topic\n"})
    live.git("checkout", "-q", "main")
    live.commit("main", {"shared.txt": "main\n"})
    proc = live.git("merge", "topic", check=False)
    assert "CONFLICT" in proc
    live.write("shared.txt", "resolved\n")
    live.git("add", "shared.txt")
    live.git("commit", "-q", "--no-edit")
    merge = live.head()
    commits, ref_events = drain(live)
    assert commits[merge]["is_merge"] is True
    assert commits[merge]["had_conflicts"] is True
    assert commits[merge]["conflict_paths"] == ["shared.txt"]
    assert commits[merge]["action"] == "commit (merge)"
    # A conflicted merge never fires post-merge.
    assert "merge" not in kinds(ref_events)


def test_squash_merge(live: GitRepo) -> None:
    live.commit("base")
    live.git("checkout", "-q", "-b", "topic")
    live.commit("topic 1")
    live.commit("topic 2")
    live.git("checkout", "-q", "main")
    live.git("merge", "-q", "--squash", "topic")
    live.git("commit", "-q", "-m", "feat: squashed topic")
    squashed = live.head()
    commits, ref_events = drain(live)
    assert kinds(ref_events)[-1] == "squash_merge"
    assert ref_events[-1]["to"] == "main"
    assert commits[squashed]["is_merge"] is False
    assert len(commits[squashed]["parents"]) == 1


def test_branch_switch_and_file_checkout(live: GitRepo) -> None:
    live.commit("one", {"f.txt": "1\n"})
    live.git("checkout", "-q", "-b", "feature")
    live.write("f.txt", "dirty\n")
    live.git("checkout", "--", "f.txt")
    live.git("checkout", "-q", "main")
    _, ref_events = drain(live)
    # Reflog times come from the fixed test dates, file checkouts from the clock:
    # compare without order.
    assert sorted((e["kind"], e["from"] or "", e["to"] or "") for e in ref_events) == [
        ("file_checkout", "", ""),
        ("switch", "feature", "main"),
        ("switch", "main", "feature"),
    ]


def test_live_switch_and_backfill_store_it_once(live: GitRepo) -> None:
    from hookwise.history.backfill import backfill

    live.commit("one")
    live.git("checkout", "-q", "-b", "feature")
    _, ref_events = drain(live)
    assert kinds(ref_events) == ["switch"]
    backfill(discover(live.path))
    store = Store.open(discover(live.path))
    assert store.count("ref_events") == 1


def test_clone_is_not_a_switch(live: GitRepo, tmp_path: Path) -> None:
    live.commit("one")
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    hook = discover(live.path).hooks_dir / "post-checkout"
    (template / "hooks" / "post-checkout").write_bytes(hook.read_bytes())
    (template / "hooks" / "post-checkout").chmod(0o755)
    clone = GitRepo(tmp_path / "clone")
    live.git("clone", "-q", f"--template={template}", str(live.path), str(clone.path))
    _, ref_events = drain(clone)
    assert [(e["kind"], e["from"]) for e in ref_events] == [("clone", None)]


def test_amend_keeps_the_old_commit_marked_rewritten(live: GitRepo) -> None:
    live.commit("one")
    old = live.commit("fix: typo")
    live.git("commit", "-q", "--amend", "-m", "fix: typo in README")
    new = live.head()
    commits, ref_events = drain(live)
    assert commits[old]["rewritten"] is True
    assert commits[new]["rewritten"] is False
    assert commits[new]["action"] == "commit (amend)"
    assert sum(1 for c in commits.values() if not c["rewritten"]) == 2
    [rewrite] = [e for e in ref_events if e["kind"] == "amend"]
    assert rewrite["rewrites"] == [{"old": old, "new": new}]


def test_amend_drained_separately_still_marks_the_old_commit(live: GitRepo) -> None:
    live.commit("one")
    old = live.commit("two")
    drain(live)
    live.git("commit", "-q", "--amend", "-m", "two, amended")
    commits, _ = drain(live)
    assert commits[old]["rewritten"] is True
    assert commits[live.head()]["rewritten"] is False


def test_rebase_replaces_commits_without_double_counting(live: GitRepo) -> None:
    live.commit("base", {"base": "0\n"})
    live.git("checkout", "-q", "-b", "topic")
    t1 = live.commit("topic 1", {"t1": "1\n"})
    t2 = live.commit("topic 2", {"t2": "2\n"})
    live.git("checkout", "-q", "main")
    live.commit("main moves on", {"m": "m\n"})
    live.git("checkout", "-q", "topic")
    live.git("rebase", "-q", "main")
    n1, n2 = live.rev("HEAD~1"), live.head()
    commits, ref_events = drain(live)
    assert commits[t1]["rewritten"] is True
    assert commits[t2]["rewritten"] is True
    assert commits[n1]["rewritten"] is False
    assert commits[n2]["subject"] == "topic 2"
    live_commits = [c for c in commits.values() if not c["rewritten"]]
    assert len(live_commits) == 4  # base, main moves on, and the two rebased commits
    [rebase] = [e for e in ref_events if e["kind"] == "rebase"]
    assert rebase["rewrites"] == [{"old": t1, "new": n1}, {"old": t2, "new": n2}]


def test_cherry_pick(live: GitRepo) -> None:
    live.commit("base")
    live.git("checkout", "-q", "-b", "topic")
    picked_from = live.commit("fix: the bug", {"bug.py": "fixed\n"})
    live.git("checkout", "-q", "main")
    live.git("cherry-pick", picked_from)
    picked = live.head()
    commits, _ = drain(live)
    assert commits[picked]["action"] == "cherry-pick"
    assert commits[picked]["subject"] == "fix: the bug"
    assert commits[picked]["branch"] == "main"


def test_commit_in_a_second_worktree(live: GitRepo, tmp_path: Path) -> None:
    live.commit("one")
    wt_path = tmp_path / "wt"
    live.git("worktree", "add", "-q", "-b", "wt-branch", str(wt_path))
    wt = GitRepo(wt_path)
    made = wt.commit("made in the worktree")
    wt.git("checkout", "-q", "-b", "wt-other")
    commits, ref_events = drain(live)
    assert commits[made]["branch"] == "wt-branch"
    assert commits[made]["source"] == "hook"
    switches = [e for e in ref_events if e["kind"] == "switch"]
    assert [(e["from"], e["to"], e["worktree"]) for e in switches] == [
        ("wt-branch", "wt-other", "wt")
    ]


def test_pre_commit_rewrite_without_stdin_uses_the_reflog(repo: GitRepo) -> None:
    """The pre-commit framework passes no old→new pairs: they come from the reflog."""
    repo.commit("one")
    old = repo.commit("two")
    repo.git("commit", "-q", "--amend", "-m", "two, amended")
    new = repo.head()
    paths = discover(repo.path)
    text = events.render(
        "post-rewrite",
        ["amend"],
        git_dir=str(paths.git_dir),
        head=new,
        ref="refs/heads/main",
        env={"PRE_COMMIT_REWRITE_COMMAND": "amend"},
    )
    events.write(paths.spool_dir, "post-rewrite-test", text)
    commits, ref_events = drain(repo)
    assert commits[old]["rewritten"] is True
    assert commits[new]["rewritten"] is False
    assert ref_events[0]["rewrites"] == [{"old": old, "new": new}]


def test_ingesting_the_same_events_twice_stores_them_once(live: GitRepo) -> None:
    live.commit("one")
    live.git("checkout", "-q", "-b", "b")
    live.commit("two")
    paths = discover(live.path)
    saved = {p.name: p.read_bytes() for p in paths.spool_dir.glob("post-*")}
    first_commits, first_events = drain(live)
    for name, data in saved.items():
        (paths.spool_dir / name).write_bytes(data)
    again_commits, again_events = drain(live)
    assert again_commits.keys() == first_commits.keys()
    assert [e["id"] for e in again_events] == [e["id"] for e in first_events]
    store = Store.open(paths)
    assert store.count("commits") == 2
    assert store.count("ref_events") == len(first_events) == 1


def test_rebased_commits_belong_to_the_rebased_branch_even_across_batches(live: GitRepo) -> None:
    live.commit("base", {"base": "0\n"})
    live.git("checkout", "-q", "-b", "topic")
    live.commit("topic 1", {"t1": "1\n"})
    live.git("checkout", "-q", "main")
    live.commit("main moves on", {"m": "m\n"})
    live.git("checkout", "-q", "topic")
    live.git("rebase", "-q", "main")
    rebased = live.head()
    paths = discover(live.path)
    # Drain the rebase's own post-commit first, the post-rewrite in a later batch.
    rewrite_events = {p.name: p.read_bytes() for p in paths.spool_dir.glob("post-rewrite-*")}
    for name in rewrite_events:
        (paths.spool_dir / name).unlink()
    commits, ref_events = drain(live)
    assert commits[rebased]["branch"] is None  # made on a detached HEAD
    # The rebase's internal checkout of its base is no switch of the user's.
    assert [e["kind"] for e in ref_events] == ["switch", "switch", "switch"]
    for name, data in rewrite_events.items():
        (paths.spool_dir / name).write_bytes(data)
    commits, _ = drain(live)
    assert commits[rebased]["branch"] == "topic"


def test_a_large_rebase_of_commits_made_before_install_is_stored_once(repo: GitRepo) -> None:
    """300 old→new pairs in one event: every old commit stored, marked rewritten."""
    old = make_history(repo, 300)
    new = make_roots(repo, 300, prefix="rebased")
    paths = discover(repo.path)
    pairs = "".join(f"{o} {n}\n" for o, n in zip(old, new, strict=True))
    text = events.render(
        "post-rewrite", ["rebase"], git_dir=str(paths.git_dir), head=new[-1], stdin=pairs
    )
    events.write(paths.spool_dir, "post-rewrite-large", text)
    commits, ref_events = drain(repo)
    assert set(commits) == set(old) | set(new)
    assert all(commits[sha]["rewritten"] for sha in old)
    assert not any(commits[sha]["rewritten"] for sha in new)
    assert len(ref_events[0]["rewrites"]) == 300


def test_finding_unseen_old_commits_hashes_each_sha_a_bounded_number_of_times() -> None:
    """Work grows with the pairs, not with their square: counted, not timed."""
    hashes = 0

    class Sha(str):
        __slots__ = ()

        def __hash__(self) -> int:
            nonlocal hashes
            hashes += 1
            return str.__hash__(self)

    n = 2000
    old = [Sha(f"{i:040x}") for i in range(n)]
    new = [Sha(f"{n + i:040x}") for i in range(n)]
    known = {old[0]}
    hashes = 0
    assert unseen_old(old, known, [*new[:-1], old[1]]) == old[2:]
    # One set of the new shas (n) and two lookups per old sha (2n); a set
    # built per old sha made that n * n = 4,000,000.
    assert hashes <= 3 * n


def test_an_amend_whose_old_commit_was_pruned_before_ingest_records_the_rest(
    live: GitRepo,
) -> None:
    """Issue 9, defect 1: the pruned old commit made `git log` fail on a bad
    object, and the whole batch was retried every 30 s for ever."""
    live.commit("one")
    old = live.commit("two")
    live.git("commit", "-q", "--amend", "-m", "two, amended")
    new = live.head()
    live.git("reflog", "expire", "--expire=now", "--all")
    live.git("gc", "-q", "--prune=now")
    assert live.git("cat-file", "-t", old, check=False) == "", "the old commit is still in git"
    later = live.commit("three")
    commits, ref_events = drain(live)
    assert old not in commits
    assert {new, later} <= set(commits)
    assert commits[new]["rewritten"] is False
    [rewrite] = [e for e in ref_events if e["kind"] == "amend"]
    assert rewrite["rewrites"] == [{"old": old, "new": new}]


def test_a_pull_of_many_merges_leaves_their_checks_to_the_worker(
    live: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.history import conflicts
    from tests.history.test_conflicts import merge_history, merge_tree_says

    live.commit("first", {"first.txt": "1\n"})
    upstream = GitRepo(tmp_path / "upstream")
    live.git("clone", "-q", str(live.path), str(upstream.path))
    merges = merge_history(upstream, 3)
    monkeypatch.setattr(conflicts, "INLINE_MERGES", 2)
    live.git("pull", "-q", "--ff-only", str(upstream.path), "main")
    commits, _ = drain(live)
    assert {sha: commits[sha]["had_conflicts"] for sha in merges} == dict.fromkeys(merges)
    conflicts.check_pending(discover(live.path), jobs=1)
    commits, _ = drain(live)
    assert {sha: commits[sha]["had_conflicts"] for sha in merges} == {
        sha: merge_tree_says(upstream, sha) for sha in merges
    }
