from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.errors import GitError, GitNotFoundError, NotARepositoryError
from hookwise.git.runner import complete_git, git, run_git
from tests.gitrepo import GitRepo


def test_returns_stdout(repo: GitRepo) -> None:
    head = repo.commit("first")
    assert git("rev-parse", "HEAD", cwd=repo.path).decode().strip() == head
    assert run_git(["cat-file", "--batch-check"], cwd=repo.path, input=b"HEAD\n").startswith(
        head.encode()
    )


def test_a_failure_names_the_command_and_gits_reason(repo: GitRepo) -> None:
    repo.commit("first")
    with pytest.raises(GitError, match=r"^git rev-parse failed: fatal: Needed a single revision$"):
        git("rev-parse", "--verify", "nonsense", cwd=repo.path)
    with pytest.raises(GitError, match=r"^git log failed: "):
        run_git(
            ["-c", "log.showSignature=false", "log", "-1", "nonsense"],
            cwd=repo.path,
            what="git log",
        )


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(NotARepositoryError) as raised:
        git("rev-parse", "HEAD", cwd=tmp_path)
    assert raised.value.path == str(tmp_path.resolve())


def test_complete_git_hands_back_a_failure_with_what_git_answered_before(repo: GitRepo) -> None:
    repo.commit("on main")
    tree = repo.rev("HEAD^{tree}")
    repo.git("checkout", "-q", "--orphan", "unrelated")
    repo.commit("unrelated")
    proc = complete_git(
        ["merge-tree", "--write-tree", "--stdin", "-z", "--name-only", "--no-messages"],
        cwd=repo.path,
        input=b"main main\nmain unrelated\n",
    )
    assert proc.returncode == 128  # refused the second merge: unrelated histories
    assert proc.stdout == b"1\0" + tree.encode() + b"\0\0"  # the first one, clean


def test_git_not_installed(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo.path))  # a folder without git
    with pytest.raises(GitNotFoundError, match="git is not installed"):
        git("status", cwd=repo.path)
    with pytest.raises(GitNotFoundError):
        complete_git(["status"], cwd=repo.path)
