"""``hookwise install --check``: a pre-commit hook that runs the configured checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from hookwise.install.checkhook import CHECK_MARKER
from hookwise.install.hooks import install, uninstall
from tests.gitrepo import GitRepo

RUFF = f'["{sys.executable}", "-m", "ruff", "check", "--output-format", "concise", "."]'
ORIGINAL = "#!/bin/sh\necho ran >> chained-ran\n"


@pytest.fixture
def project(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    repo.write(".hookwise.toml", f'checks = [{{ name = "ruff", command = {RUFF} }}]\n')
    repo.write(".gitignore", "chained-ran\n")
    repo.write("mod.py", "print(1)\n")
    repo.commit("feat: start")
    return repo


def commit(repo: GitRepo, name: str, text: str) -> tuple[bool, str]:
    """Stage ``name`` and try to commit it: whether git made the commit, and its stderr."""
    repo.write(name, text)
    repo.git("add", name)
    before = repo.head()
    proc = subprocess.run(
        ["git", "commit", "-m", f"change {name}"],
        cwd=repo.path,
        env=repo.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return repo.head() != before, proc.stderr


def test_a_failing_check_refuses_the_commit_and_a_clean_one_passes(project: GitRepo) -> None:
    paths = discover(project.path)
    hook = paths.hooks_dir / "pre-commit"
    hook.write_text(ORIGINAL)
    hook.chmod(0o755)
    result = install(paths, check=True)
    assert [h.name for h in result.hooks][-1] == "pre-commit" and not result.warnings
    assert CHECK_MARKER in hook.read_text()
    made, said = commit(project, "bad.py", "import os\n")
    assert not made and "F401" in said and "hookwise: stored 1 finding from ruff" in said
    assert not (project.path / "chained-ran").exists()  # refused before the chained hook
    made, _ = commit(project, "bad.py", "print(2)\n")
    assert made
    assert (project.path / "chained-ran").read_text() == "ran\n"
    assert len(list(paths.spool_dir.glob("check-run-*"))) == 2  # both runs handed over


def test_uninstall_restores_the_pre_commit_hook_that_was_there(project: GitRepo) -> None:
    paths = discover(project.path)
    hook = paths.hooks_dir / "pre-commit"
    hook.write_text(ORIGINAL)
    hook.chmod(0o750)
    inode = hook.stat().st_ino
    install(paths, check=True)
    install(paths)  # a plain reinstall refreshes the check hook, and keeps it
    assert CHECK_MARKER in hook.read_text()
    outcomes = {h.name: h.outcome for h in uninstall(paths).hooks}
    assert outcomes["pre-commit"] == "restored"
    assert (hook.read_text(), hook.stat().st_mode & 0o777, hook.stat().st_ino) == (
        ORIGINAL,
        0o750,
        inode,
    )


def test_without_a_hook_before_uninstall_removes_it(project: GitRepo) -> None:
    paths = discover(project.path)
    install(paths, check=True)
    outcomes = {h.name: h.outcome for h in uninstall(paths).hooks}
    assert outcomes["pre-commit"] == "removed"
    assert not (paths.hooks_dir / "pre-commit").exists()
    assert not (paths.hooks_dir / "hookwise-chained").exists()


def test_without_configured_checks_the_hook_warns_at_install_and_lets_commits_pass(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    repo.commit("first")
    result = install(discover(repo.path), check=True)
    assert any("no checks are configured yet" in w for w in result.warnings)
    made, _ = commit(repo, "bad.py", "import os\n")
    assert made


def test_a_python_that_is_gone_lets_the_commit_through_and_says_so(project: GitRepo) -> None:
    paths = discover(project.path)
    install(paths, check=True, python=str(Path("/nonexistent/python")))
    made, said = commit(project, "bad.py", "import os\n")
    assert made
    assert "hookwise: pre-commit: /nonexistent/python is gone, so the configured checks" in said
