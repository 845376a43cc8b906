"""What ``metrics`` returns: frozen records, one per figure group, turned into JSON as is.

Every field is defined in ``docs/metrics.md``; ``None`` means nothing to
divide by (``null`` in JSON), never 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CommitDay:
    date: str
    commits: int


@dataclass(frozen=True)
class SwitchDay:
    date: str
    switches: int


@dataclass(frozen=True)
class MergeDay:
    date: str
    merges: int
    conflicted: int


@dataclass(frozen=True)
class AuthorVelocity:
    author: str  # the name on the author's latest commit
    email: str  # lower-cased; what identifies an author
    commits: int
    per_day: float
    share: float  # of all commits in the window


@dataclass(frozen=True)
class BranchVelocity:
    branch: str | None  # None: backfill could not tell
    commits: int
    per_day: float


@dataclass(frozen=True)
class Velocity:
    commits: int
    days: int
    per_hour: float
    per_day: float
    per_week: float
    trend_per_day: float | None  # least-squares slope of commits per day, per day
    trend: str | None  # rising | falling | steady; None below 3 days
    by_author: tuple[AuthorVelocity, ...]
    by_branch: tuple[BranchVelocity, ...]
    by_hour: tuple[int, ...]  # 24 counts, committer-local hour
    by_weekday: tuple[int, ...]  # 7 counts, Monday first
    busiest_hour: int | None
    busiest_weekday: str | None
    daily: tuple[CommitDay, ...]


@dataclass(frozen=True)
class BranchSwitchCount:
    branch: str
    switches: int


@dataclass(frozen=True)
class BranchSwitches:
    count: int
    per_day: float
    by_branch: tuple[BranchSwitchCount, ...]  # by the branch switched to
    median_minutes_on_branch: float | None
    daily: tuple[SwitchDay, ...]


@dataclass(frozen=True)
class ConflictHotspot:
    path: str
    conflicts: int  # conflicted merges in which the path conflicted


@dataclass(frozen=True)
class Merges:
    count: int
    checked: int  # merges whose conflicts are known (re-merged)
    # merges whose conflict check is still to come (the worker's, after a
    # backfill): neither clean nor conflicted, and not in conflict_rate
    unchecked: int
    conflicted: int
    conflict_rate: float | None  # conflicted / checked
    hotspots: tuple[ConflictHotspot, ...]
    squash_merges: int  # only known from live capture
    daily: tuple[MergeDay, ...]


@dataclass(frozen=True)
class ConventionalCompliance:
    eligible: int
    compliant: int
    rate: float | None
    by_type: dict[str, int]
    breaking: int
    nonstandard_types: int  # compliant, but a type commitizen does not know
    merges: int  # reported separately, never violations
    reverts: int
    fixups: int


@dataclass(frozen=True)
class Sessions:
    count: int
    median_minutes: float | None
    commits_per_session: float | None
    gap_minutes: int


@dataclass(frozen=True)
class WindowInfo:
    start: str | None
    end: str | None
    days: int
    author: str | None
    branch: str | None


@dataclass(frozen=True)
class Metrics:
    window: WindowInfo
    velocity: Velocity
    branch_switches: BranchSwitches
    merges: Merges
    conventional: ConventionalCompliance
    sessions: Sessions

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
