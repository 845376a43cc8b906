"""Finding the repository a path belongs to."""

from __future__ import annotations

from pathlib import Path

from hookwise.capture.locations import RepoPaths
from hookwise.errors import NotARepositoryError
from hookwise.git.runner import git


def discover(path: Path | str = ".") -> RepoPaths:
    """The directories of the repository containing ``path``."""
    path = Path(path)
    if not path.exists():
        raise NotARepositoryError(str(path))
    out = git(
        "rev-parse",
        "--path-format=absolute",
        "--git-dir",
        "--git-common-dir",
        "--git-path",
        "hooks",
        "--is-bare-repository",
        cwd=path,
    )
    git_dir, common_dir, hooks_dir, bare = out.decode().splitlines()[:4]
    worktree: Path | None = None
    if bare != "true":
        top = git("rev-parse", "--show-toplevel", cwd=path).decode().strip()
        worktree = Path(top)
    return RepoPaths(
        worktree=worktree,
        git_dir=Path(git_dir),
        common_dir=Path(common_dir),
        hooks_dir=Path(hooks_dir),
    )
