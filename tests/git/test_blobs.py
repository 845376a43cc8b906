"""``hookwise.git.blobs``: many files at many commits from one git process."""

from __future__ import annotations

import pytest

from hookwise.errors import GitError
from hookwise.git.blobs import Touch, blobs, last_touches
from tests.gitrepo import BASE_TIME, GitRepo


def test_files_at_commits_come_back_byte_for_byte(repo: GitRepo) -> None:
    first = repo.commit("one", {"a.py": "a = 1\n", "dir/b c.py": "b\n", "bin": ""})
    (repo.path / "bin").write_bytes(b"\x00\xff\n" * 3)
    second = repo.commit("two", {"a.py": "a = 2\n"})
    wanted = [
        (first, "a.py"),
        (second, "a.py"),
        (second, "dir/b c.py"),
        (second, "bin"),
        (first, "a.py"),  # asked twice, read once
    ]
    assert blobs(repo.path, wanted) == {
        (first, "a.py"): b"a = 1\n",
        (second, "a.py"): b"a = 2\n",
        (second, "dir/b c.py"): b"b\n",
        (second, "bin"): b"\x00\xff\n" * 3,
    }


def test_what_a_commit_does_not_hold_is_none(repo: GitRepo) -> None:
    head = repo.commit("one", {"dir/a.py": "a\n", "b.py": "b\n"})
    wanted = [
        (head, "gone.py"),  # never there
        (head, "dir"),  # a directory
        ("f" * 40, "b.py"),  # a commit rewritten away
        (head, "new\nline.py"),  # cannot be asked on one line
        (head, "b.py"),  # and the answers after those still line up
    ]
    assert blobs(repo.path, wanted) == {**dict.fromkeys(wanted), (head, "b.py"): b"b\n"}
    assert blobs(repo.path, []) == {}


def test_the_newest_commit_that_touched_each_path(repo: GitRepo) -> None:
    start = repo.commit("one", {"a.py": "1\n", "b.py": "1\n", "c.py": "1\n"}, date=BASE_TIME)
    first = repo.commit("two", {"a.py": "2\n", "b.py": "2\n"}, date=BASE_TIME + 60)
    repo.git("rm", "-q", "b.py")
    last = repo.commit("three", {"a.py": "3\n"}, date=BASE_TIME + 120)
    touches = last_touches(repo.path, start, last, ["a.py", "b.py", "c.py", "d.py"])
    assert touches == {"a.py": Touch(last, BASE_TIME + 120), "b.py": Touch(last, BASE_TIME + 120)}
    assert last_touches(repo.path, start, first, ["b.py"]) == {"b.py": Touch(first, BASE_TIME + 60)}
    assert last_touches(repo.path, last, last, ["a.py"]) == {}


def test_a_merge_touches_nothing_its_side_commit_does(repo: GitRepo) -> None:
    start = repo.commit("one", {"a.py": "1\n", "b.py": "1\n"})
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("side", {"b.py": "2\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"a.py": "2\n"})
    repo.git("merge", "-q", "--no-edit", "side")
    touches = last_touches(repo.path, start, repo.head(), ["b.py"])
    assert touches["b.py"].commit == side


def test_an_unknown_commit_is_a_git_error(repo: GitRepo) -> None:
    head = repo.commit("one", {"a.py": "1\n"})
    with pytest.raises(GitError, match=r"^listing the commits that changed the files failed: "):
        last_touches(repo.path, "f" * 40, head, ["a.py"])
