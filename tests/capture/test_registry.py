"""The registry of stores the worker drains: one bad entry hides no other."""

from __future__ import annotations

from pathlib import Path

from hookwise.capture import registry
from hookwise.capture.locations import state_dir
from tests.gitrepo import GitRepo


def test_entries_that_cannot_be_read_are_skipped_and_the_others_found(repo: GitRepo) -> None:
    """Issue 9, defect 8: the worker serves every repository it can."""
    good = repo.path / ".git" / "hookwise"
    registry.register(good)
    entries = state_dir() / "repos"
    (entries / "not-utf-8").write_bytes(b"\xff\xfe\x80/somewhere\n")
    (entries / "empty").write_text("")  # cut short: would name the current directory
    (entries / "relative").write_text("repo/.git/hookwise\n")
    (entries / "a-directory").mkdir()
    assert registry.registered() == [good]


def test_a_registry_that_is_not_a_directory_is_empty(state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "repos").write_text("a file where the registry was\n")
    assert registry.registered() == []
