"""A repository with recent history, a store, a recorded fix and a check run, built once per module.

Built by the real console script (backfill, reindex, ``fix record``,
``hookwise check`` with the real ruff) in an environment of its own, as
``tests/conftest.py`` isolates each test: the fixtures that use it live a
whole module, longer than that autouse fixture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixes.lines import FINDING, line, lines
from tests.gitrepo import GitRepo

DAY = 86_400
#: The module the check run finds ``F401 `os` imported but unused`` in (FINDING's path).
MODULE = "import os\nimport sys\n\nprint(sys.argv)\n"
DIFF = "--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1,2 +1 @@\n-import os\n import sys\n"


@dataclass(frozen=True)
class History:
    repo: GitRepo
    env: dict[str, str]  # what the server and every command of this module run with

    def hookwise(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "hookwise", *args],
            cwd=self.repo.path,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            env=self.env,
        )
        assert proc.returncode in (0, 1), proc.stderr
        return proc


def environment(base: Path) -> dict[str, str]:
    """``tests/conftest.py``'s isolation, plus the hashing embedder and no worker."""
    gitconfig = base / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "HOOKWISE_"))}
    env.update(
        HOME="/dev/null/hookwise-tests-must-not-touch-home",
        XDG_STATE_HOME=str(base / "xdg-state"),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
        HOOKWISE_STATE_DIR=str(base / "state"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        HOOKWISE_EMBEDDER="hashing",
        HOOKWISE_NO_WORKER="1",
    )
    return env


def build(base: Path) -> History:
    """Six commits over the last five days (one a merge of a feature branch), all stored."""
    env = environment(base)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        repo = GitRepo.init(base / "repo")
        now = int(time.time())
        repo.commit("feat: add the parser", {"pkg/mod.py": MODULE}, date=now - 5 * DAY)
        repo.commit("fix: handle empty input", {"pkg/empty.py": "x = 1\n"}, date=now - 4 * DAY)
        repo.git("checkout", "-q", "-b", "feature", date=now - 3 * DAY)
        repo.commit("feat(cli): add a verbose flag", {"cli.py": "v = 1\n"}, date=now - 3 * DAY)
        repo.git("checkout", "-q", "main", date=now - 3 * DAY + 60)
        repo.commit("docs: describe the parser", {"README": "parser\n"}, date=now - 2 * DAY)
        repo.git(
            "merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature", date=now - DAY
        )
    history = History(repo, env)
    history.hookwise("backfill", "-q")
    history.hookwise("reindex", "-q")
    recorded = history.hookwise(
        "fix", "record", "-", stdin=lines(line(diff=DIFF, time="2024-04-01T12:00:00Z")).decode()
    )
    assert recorded.returncode == 0, recorded.stderr
    checked = history.hookwise("check", "--", sys.executable, "-m", "ruff", "check", "pkg/mod.py")
    assert checked.returncode == 1, checked.stderr  # ruff found the unused import
    return history


__all__ = ["DIFF", "FINDING", "History", "build"]
