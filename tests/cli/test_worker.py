"""``hookwise worker`` through the real console script."""

from __future__ import annotations

from tests.cli.console import hookwise, one_line
from tests.gitrepo import GitRepo


def test_worker_without_a_mode_is_a_usage_error(repo: GitRepo) -> None:
    proc = hookwise("worker", "--repo", str(repo.path))
    assert proc.returncode == 2
    assert "--foreground" in one_line(proc)
