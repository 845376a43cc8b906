"""Fixtures shared by the whole suite.

Every test runs with HOME pointing at a path that cannot exist (so touching
the user's home is an error), its own hookwise state directory, and a git
configuration of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("env")
    gitconfig = base / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n"
        "[core]\n\tautocrlf = false\n"
        '[protocol "file"]\n\tallow = always\n'
    )
    state = base / "state"
    # /dev/null is a file, so nothing can be created below it.
    monkeypatch.setenv("HOME", "/dev/null/hookwise-tests-must-not-touch-home")
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
    monkeypatch.setenv("HOOKWISE_STATE_DIR", str(state))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOOKWISE_WORKER_IDLE", "20")
    monkeypatch.setenv("HOOKWISE_WORKER_POLL", "0.05")
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "HOOKWISE_DISABLE"):
        monkeypatch.delenv(var, raising=False)
    yield state
    stop_worker(state)


def stop_worker(state: Path) -> None:
    """Stop a worker a test started, so none outlives its test."""
    pid_file = state / "worker.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty repository with branch main."""
    return GitRepo.init(tmp_path / "repo")


@pytest.fixture
def state_dir(isolated_env: Path) -> Path:
    return isolated_env
