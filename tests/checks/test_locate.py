"""Where a check ran, read from git's files: the same answer as ``git rev-parse``, or git's."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.checks.locate import (
    Repository,
    ask_git,
    locate,
    may_configure_checks,
    read_repository,
)
from hookwise.errors import NotARepositoryError
from tests.gitrepo import GitRepo


def facts(found: Repository | None) -> tuple[str, str, str | None]:
    assert found is not None
    return found.top, found.hookwise_dir, found.head


def same_as_git(folder: Path) -> tuple[str, str, str | None]:
    """The files' answer, checked against git's."""
    read = facts(read_repository(folder))
    assert read == facts(ask_git(folder))
    return read


def test_a_repository_and_its_subfolders(repo: GitRepo) -> None:
    repo.write("pkg/sub/mod.py", "x = 1\n")
    repo.commit("feat: start")
    top = str(repo.path.resolve())
    expected = (top, str(Path(top) / ".git" / "hookwise"), repo.head())
    assert same_as_git(repo.path) == expected
    assert same_as_git(repo.path / "pkg" / "sub") == expected


def test_before_the_first_commit_there_is_no_head(repo: GitRepo) -> None:
    assert same_as_git(repo.path)[2] is None


def test_packed_refs_and_a_detached_head(repo: GitRepo) -> None:
    repo.commit("feat: one")
    first = repo.head()
    repo.git("pack-refs", "--all")
    assert not (repo.path / ".git" / "refs" / "heads" / "main").exists()
    assert same_as_git(repo.path)[2] == first
    repo.commit("feat: two")  # a loose ref again, newer than the packed one
    assert same_as_git(repo.path)[2] == repo.head()
    repo.git("checkout", "-q", "--detach", first)
    assert same_as_git(repo.path)[2] == first


def test_a_linked_worktree_shares_the_store(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: one")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "topic", str(linked))
    GitRepo(linked).commit("feat: on topic")
    top, hookwise_dir, head = same_as_git(linked)
    assert top == str(linked.resolve())
    assert hookwise_dir == str(repo.path.resolve() / ".git" / "hookwise")
    assert head == GitRepo(linked).head() != repo.head()


def test_a_symlinked_folder_is_its_real_path(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: one")
    link = tmp_path / "link"
    link.symlink_to(repo.path)
    assert same_as_git(link)[0] == str(repo.path.resolve())


@pytest.mark.parametrize(
    ("where", "name", "value"),
    [
        ("env", "GIT_DIR", ".git"),  # git sets it for hooks in a linked worktree
        ("config", "core.worktree", "."),
        ("config", "core.bare", "true"),
        ("config", "include.path", "more.config"),
    ],
)
def test_when_the_files_may_mislead_git_is_asked(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, where: str, name: str, value: str
) -> None:
    repo.commit("feat: one")
    assert read_repository(repo.path) is not None
    if where == "env":
        monkeypatch.setenv(name, str(repo.path / value))
    else:
        repo.git("config", name, value)
    assert read_repository(repo.path) is None


def test_inside_the_git_directory_or_outside_any_repository(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: one")
    assert read_repository(repo.path / ".git") is None
    outside = tmp_path / "outside"
    outside.mkdir()
    assert read_repository(outside) is None
    with pytest.raises(NotARepositoryError):
        locate(outside)


@pytest.mark.parametrize(
    ("files", "maybe"),
    [
        ({}, False),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, False),
        ({"pyproject.toml": "[tool.hookwise]\nchecks = []\n"}, True),
        ({"pyproject.toml": '[tool]\nhookwise = {checks = [{command = ["ruff"]}]}\n'}, True),
        ({".hookwise.toml": ""}, True),
    ],
)
def test_whether_checks_may_be_configured_is_read_without_parsing(
    tmp_path: Path, files: dict[str, str], maybe: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert may_configure_checks(str(tmp_path)) is maybe


def test_a_pyproject_that_cannot_be_read_is_left_to_the_reader_to_report(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()  # read() fails with IsADirectoryError
    assert may_configure_checks(str(tmp_path)) is True
