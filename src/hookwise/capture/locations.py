"""Where things live: the repository's git directories, the store, the user's state.

Standard library only: the capture path imports this module. Finding a
repository's directories runs git, so ``discover`` lives in ``hookwise.git.repo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hookwise.capture import settings

STORE_DIRNAME = "hookwise"


@dataclass(frozen=True)
class RepoPaths:
    """The directories of one repository, all absolute."""

    worktree: Path | None  # None for a bare repository
    git_dir: Path  # this worktree's git dir (differs from common_dir in linked worktrees)
    common_dir: Path  # shared by all worktrees
    hooks_dir: Path  # honours core.hooksPath

    @classmethod
    def for_hookwise_dir(cls, hookwise_dir: Path) -> RepoPaths:
        """The paths of a store known only by its ``.git/hookwise`` directory (the worker's view).

        Only the common directory is known: no worktree, and the hooks where
        git keeps them by default.
        """
        common = hookwise_dir.parent
        return cls(worktree=None, git_dir=common, common_dir=common, hooks_dir=common / "hooks")

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


def state_dir() -> Path:
    """The user's hookwise state: worker pid, lock, socket and the registry of stores."""
    return Path(settings.state_dir())
