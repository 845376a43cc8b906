from __future__ import annotations

from hookwise.git.walk import new_commits, present_commits
from tests.gitrepo import GitRepo


def test_walks_parents_until_known_commits(repo: GitRepo) -> None:
    base = repo.commit("base")
    known = repo.commit("known")
    repo.git("checkout", "-q", "-b", "topic", base)
    topic = repo.commit("topic")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    merge = repo.head()
    found = new_commits(repo.path, [merge, merge], {known, base})
    assert sorted(found) == sorted([merge, topic])  # each once; the walk stops at known ones


def test_skips_what_git_does_not_have(repo: GitRepo) -> None:
    first = repo.commit("first")
    tree = repo.rev("HEAD^{tree}")
    assert new_commits(repo.path, ["f" * 40, "", tree, first], set()) == [first]


def test_nothing_new(repo: GitRepo) -> None:
    head = repo.commit("first")
    assert new_commits(repo.path, [head], {head}) == []
    assert new_commits(repo.path, [], set()) == []


def test_present_commits_keeps_what_git_still_has_in_order(repo: GitRepo) -> None:
    first = repo.commit("first")
    old = repo.commit("second")
    repo.git("commit", "-q", "--amend", "-m", "second, amended")
    new = repo.head()
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    tree = repo.rev("HEAD^{tree}")
    assert present_commits(repo.path, [new, old, "not a sha", tree, first]) == [new, first]
