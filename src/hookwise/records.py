"""Immutable records that flow between git, the services and the store.

Frozen dataclasses inside; Arrow schemas only at the storage boundary
(``store.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommitRecord:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int  # seconds since the epoch
    author_tz: int  # minutes east of UTC, as recorded in the commit
    committer_name: str
    committer_email: str
    committer_time: int
    committer_tz: int
    subject: str
    body: str
    files_changed: int = 0
    insertions: int = 0
    deletions: int = 0
    paths: tuple[str, ...] = ()
    had_conflicts: bool | None = None  # None for non-merges
    conflict_paths: tuple[str, ...] = ()
    branch: str | None = None
    source: str = "backfill"  # "hook" | "backfill"
    action: str | None = None  # the reflog's word for how it was made: commit, merge, rebase ...
    rewritten: bool = False
    captured_at: int = 0

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class RefEvent:
    """A change of what HEAD points at, or a rewrite of history."""

    id: str
    time: int  # seconds since the epoch
    tz: int
    kind: str  # switch | detach | clone | file_checkout | merge | squash_merge | amend | rebase
    from_ref: str | None = None
    to_ref: str | None = None
    from_sha: str | None = None
    to_sha: str | None = None
    rewrites: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (old, new) pairs
    worktree: str = ""  # "" for the main worktree, else the linked worktree's name
    source: str = "hook"  # "hook" | "backfill"
