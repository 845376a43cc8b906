"""Where things live: the repository's git directories, the store, the user's state.

Standard library only: the capture entry point imports this module.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hookwise.errors import GitError, NotARepositoryError

STORE_DIRNAME = "hookwise"


@dataclass(frozen=True)
class RepoPaths:
    """The directories of one repository, all absolute."""

    worktree: Path | None  # None for a bare repository
    git_dir: Path  # this worktree's git dir (differs from common_dir in linked worktrees)
    common_dir: Path  # shared by all worktrees
    hooks_dir: Path  # honours core.hooksPath

    @property
    def hookwise_dir(self) -> Path:
        return self.common_dir / STORE_DIRNAME

    @property
    def spool_dir(self) -> Path:
        return self.hookwise_dir / "spool"

    @property
    def corrupt_dir(self) -> Path:
        return self.hookwise_dir / "spool-corrupt"

    @property
    def store_dir(self) -> Path:
        return self.hookwise_dir / "store"

    @property
    def log_path(self) -> Path:
        return self.hookwise_dir / "log"


def git(*args: str, cwd: Path | str | None = None, input: bytes | None = None) -> bytes:
    """Run git and return its stdout; a failure becomes a GitError saying what failed."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=input,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH; install git and try again") from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        detail = msg[-1] if msg else f"exit code {proc.returncode}"
        raise GitError(f"git {args[0]} failed: {detail}")
    return proc.stdout


def discover(path: Path | str = ".") -> RepoPaths:
    """Find the repository containing ``path``."""
    path = Path(path)
    if not path.exists():
        raise NotARepositoryError(str(path))
    try:
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
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise NotARepositoryError(str(path.resolve())) from exc
        raise
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


def state_dir() -> Path:
    """The user's hookwise state: worker pid, lock, socket and the registry of stores."""
    explicit = os.environ.get("HOOKWISE_STATE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "hookwise"
