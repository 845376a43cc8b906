"""Workflow metrics over the store: velocity, branch switches, merges,
conventional-commit compliance and work sessions.

Every figure is defined in ``docs/metrics.md``; the definitions there and the
code here change together. The computation is vectorised: the store's
columns are read once as Arrow, filtered with ``pyarrow.compute`` and counted
with numpy (``bincount``, ``lexsort``, ``diff``), never with a Python loop
per commit, so 100k commits take a fraction of a second (``bench/metrics.py``).

Conventions that hold for every figure:

- Commits replaced by an amend or rebase (``rewritten``) are left out: their
  replacements are counted instead (DESIGN §4).
- A commit's *day*, *hour* and *weekday* are read on the committer's clock,
  in the committer's own time zone, as ``git log`` shows them; the window is
  a range of such calendar days, both ends included.
- Rates with nothing to divide by are ``None`` (``null`` in JSON), not 0.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hookwise.conventional import COMMITIZEN_TYPES
from hookwise.errors import UsageError
from hookwise.store.db import Store

COMMIT_COLUMNS = (
    "is_merge",
    "had_conflicts",
    "conflict_paths",
    "author_name",
    "author_email",
    "author_time",
    "committer_time",
    "committer_tz",
    "branch",
    "cc_category",
    "cc_type",
    "cc_breaking",
    "cc_valid",
    "rewritten",
)
REF_EVENT_COLUMNS = ("time", "tz", "kind", "to", "worktree")

EPOCH = date(1970, 1, 1)
# The earliest day a window may start: git's commit dates are seconds since
# the Unix epoch and cannot be earlier.
EARLIEST = EPOCH
DAY = 86_400
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_SESSION_GAP_MINUTES = 120
HOTSPOT_LIMIT = 10
# A trend is called rising or falling only when the slope is at least this
# many standard errors away from zero (about 95% confidence for a few weeks
# of days); otherwise the series is "steady" whatever the slope's sign.
TREND_T = 2.0

Ints = npt.NDArray[np.int64]


# -- the window and the filters ------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Calendar days, both ends included; ``None`` means "as far as the data goes"."""

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Filters:
    window: Window = field(default_factory=Window)
    author: str | None = None  # part of the author's name or email, any case
    branch: str | None = None
    session_gap_minutes: int = DEFAULT_SESSION_GAP_MINUTES


SINCE = re.compile(r"^\s*(?P<n>\d+)\s*(?P<unit>d|days?|w|weeks?)?\s*$", re.IGNORECASE)
DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>m|min|h)?\s*$", re.IGNORECASE)


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. {option} 2024-03-01"
        ) from None


def parse_since(text: str, today: date) -> Window:
    """``30``, ``30d``, ``4w`` (the last N days, today included) or a date.

    The window starts no earlier than ``EARLIEST``: git dates no commit
    before it, so reaching further finds nothing more, and a count of days
    large enough to pass year 1 would not be a date at all.
    """
    m = SINCE.match(text)
    if m is None:
        if re.match(r"^\s*\d{4}-\d{2}-\d{2}\s*$", text):
            start = parse_date(text, "--since")
            if start < EARLIEST:
                raise _too_far(text, today)
            return Window(start, None)
        raise UsageError(
            f"--since {text!r} is not a number of days or weeks; "
            "use e.g. --since 30d, --since 4w or --since 2024-03-01"
        )
    days = int(m.group("n")) * (7 if (m.group("unit") or "d").lower().startswith("w") else 1)
    if days < 1:
        raise UsageError("--since must cover at least one day, e.g. --since 1d")
    if days - 1 > (today - EARLIEST).days:
        raise _too_far(text, today)
    return Window(today - timedelta(days=days - 1), None)


def _too_far(text: str, today: date) -> UsageError:
    most = (today - EARLIEST).days + 1
    return UsageError(
        f"{text.strip()!r} reaches back before {EARLIEST}, where git's commit dates begin; "
        f"a window may reach back at most to {EARLIEST} ({most:,} days, today included)"
    )


def resolve_window(since: str | None, start: str | None, end: str | None, today: date) -> Window:
    """The window from the command line's --since / --from / --to."""
    if since is not None and (start is not None or end is not None):
        raise UsageError("use either --since or --from/--to, not both")
    if since is not None:
        return parse_since(since, today)
    window = Window(
        parse_date(start, "--from") if start is not None else None,
        parse_date(end, "--to") if end is not None else None,
    )
    if window.start and window.end and window.start > window.end:
        raise UsageError(f"--from {window.start} is after --to {window.end}; swap them")
    return window


def parse_gap(text: str) -> int:
    """A session gap such as ``2h``, ``90m`` or ``45`` (minutes) -> minutes."""
    m = DURATION.match(text)
    if m is None or float(m.group("n")) <= 0:
        raise UsageError(
            f"--session-gap {text!r} is not a duration; use e.g. --session-gap 2h or 90m"
        )
    value = float(m.group("n"))
    return round(value * 60) if (m.group("unit") or "m").lower() == "h" else round(value)


# -- results ------------------------------------------------------------------


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


@dataclass(frozen=True)
class History:
    """The store's columns that metrics read, as Arrow."""

    commits: pa.Table
    ref_events: pa.Table


# -- reading --------------------------------------------------------------------


def _read(store: Store, name: str, columns: tuple[str, ...]) -> pa.Table:
    # Only the columns metrics need: `paths` and `body` are most of a row.
    return store.read(name, columns=list(columns))


def load(store: Store) -> History:
    return History(
        _read(store, "commits", COMMIT_COLUMNS), _read(store, "ref_events", REF_EVENT_COLUMNS)
    )


def metrics(store: Store, filters: Filters | None = None, *, today: date | None = None) -> Metrics:
    """All metrics of the store's history (see ``compute``)."""
    return compute(load(store), filters or Filters(), today=today or date.today())


# -- helpers --------------------------------------------------------------------


def _ints(column: Any, fill: int = 0) -> Ints:
    return np.asarray(pc.fill_null(column, fill).to_numpy(), dtype=np.int64)


def _bools(column: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), dtype=bool)


def _local_days(times: Ints, tz_minutes: Ints) -> Ints:
    return (times + tz_minutes * 60) // DAY


def _day_number(d: date) -> int:
    return (d - EPOCH).days


def _iso(day: int) -> str:
    return (EPOCH + timedelta(days=int(day))).isoformat()


def _ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def _per(count: int, days: int) -> float:
    return round(count / days, 4) if days else 0.0


def _counts(values: Any) -> list[tuple[Any, int]]:
    """(value, count) pairs, most frequent first, then by value."""
    if len(values) == 0:
        return []
    vc = pc.value_counts(values)
    pairs = list(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True))
    pairs.sort(key=lambda p: (-p[1], p[0] is None, p[0] or ""))
    return pairs


def trend(daily: Ints) -> tuple[float | None, str | None]:
    """Least-squares slope of the daily counts and whether it means anything.

    The slope is the change of commits per day from one day to the next on
    the fitted line: +0.1 means ten days bring one more commit per day. It
    is "rising" or "falling" only when it is ``TREND_T``
    standard errors from zero; noise around a flat line is "steady".
    """
    n = len(daily)
    if n < 2:
        return None, None
    x = np.arange(n, dtype=np.float64)
    y = daily.astype(np.float64)
    dx = x - x.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ (y - y.mean())) / sxx
    rounded = round(slope, 4) + 0.0  # "+ 0.0" turns -0.0 into 0.0
    if n < 3:
        return rounded, None
    residuals = y - (y.mean() + slope * dx)
    stderr = float(np.sqrt(float(residuals @ residuals) / (n - 2) / sxx))
    if stderr == 0.0:  # a perfect line: its slope is all there is
        label = "rising" if slope > 0 else "falling" if slope < 0 else "steady"
    else:
        t = slope / stderr
        label = "rising" if t >= TREND_T else "falling" if t <= -TREND_T else "steady"
    return rounded, label


# -- the computation ------------------------------------------------------------


def _commit_mask(commits: pa.Table, filters: Filters) -> npt.NDArray[np.bool_]:
    """Commits that pass every filter but the window."""
    keep = pc.invert(pc.fill_null(commits["rewritten"], False))
    if filters.author:
        needle = filters.author
        keep = pc.and_(
            keep,
            pc.or_(
                pc.fill_null(
                    pc.match_substring(commits["author_name"], needle, ignore_case=True), False
                ),
                pc.fill_null(
                    pc.match_substring(commits["author_email"], needle, ignore_case=True), False
                ),
            ),
        )
    if filters.branch:
        keep = pc.and_(keep, pc.fill_null(pc.equal(commits["branch"], filters.branch), False))
    return _bools(keep)


def _select_moves(ref_events: pa.Table) -> pa.Table:
    """Events that move HEAD off a branch, in order within each worktree."""
    moves = ref_events.filter(pc.is_in(ref_events["kind"], pa.array(["switch", "detach"])))
    order = pc.sort_indices(moves, sort_keys=[("worktree", "ascending"), ("time", "ascending")])
    return moves.take(order)


def _resolve_days(
    window: Window, commit_days: Ints, switch_days: Ints, today: date
) -> tuple[int, int]:
    """First and last day number of the window (last < first when it is empty)."""
    seen = np.concatenate([commit_days, switch_days])
    first = _day_number(window.start) if window.start else int(seen.min()) if len(seen) else 0
    if window.end:
        last = _day_number(window.end)
    elif window.start:
        # An open end runs to today, or to a commit dated later in its own zone.
        last = max(_day_number(today), int(seen.max()) if len(seen) else 0)
    else:
        last = int(seen.max()) if len(seen) else -1
    return first, last


def compute(history: History, filters: Filters, *, today: date) -> Metrics:
    """Every metric of ``history`` under ``filters``; ``today`` anchors --since."""
    commits = history.commits
    commit_days = _local_days(_ints(commits["committer_time"]), _ints(commits["committer_tz"]))
    keep = _commit_mask(commits, filters)
    moves = _select_moves(history.ref_events)
    move_days = _local_days(_ints(moves["time"]), _ints(moves["tz"]))
    # `git checkout --detach` writes "moving from main to HEAD", which the
    # reflog reader takes for a switch; no branch can be called HEAD.
    switch_keep = pc.fill_null(
        pc.and_(pc.equal(moves["kind"], "switch"), pc.not_equal(moves["to"], "HEAD")), False
    )
    if filters.branch:
        switch_keep = pc.and_(
            switch_keep, pc.fill_null(pc.equal(moves["to"], filters.branch), False)
        )
    switch_mask = _bools(switch_keep)

    first, last = _resolve_days(filters.window, commit_days[keep], move_days[switch_mask], today)
    days = max(0, last - first + 1)

    # One filter over all columns: filtering a table copies every column.
    keep &= (commit_days >= first) & (commit_days <= last)
    commits = commits.filter(pa.array(keep))
    commit_days = commit_days[keep]
    index = commit_days - first  # 0 .. days-1

    authors = _author_codes(commits)
    velocity = _velocity(commits, index, days, first, authors)
    switches = _branch_switches(moves, move_days, switch_mask, first, last)
    merges = _merges(commits, index, first, last, history.ref_events)
    return Metrics(
        window=WindowInfo(
            start=_iso(first) if days else None,
            end=_iso(last) if days else None,
            days=days,
            author=filters.author,
            branch=filters.branch,
        ),
        velocity=velocity,
        branch_switches=switches,
        merges=merges,
        conventional=_conventional(commits),
        sessions=_sessions(commits, authors[0], filters.session_gap_minutes),
    )


def _velocity(
    commits: pa.Table, index: Ints, days: int, first: int, authors: tuple[Ints, list[str]]
) -> Velocity:
    n = commits.num_rows
    daily = np.bincount(index, minlength=days) if days else np.zeros(0, dtype=np.int64)
    slope, label = trend(daily.astype(np.int64))

    local_seconds = _ints(commits["committer_time"]) + _ints(commits["committer_tz"]) * 60
    hours = np.bincount((local_seconds % DAY) // 3600, minlength=24)
    # 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
    weekdays = np.bincount((local_seconds // DAY + 3) % 7, minlength=7)

    return Velocity(
        commits=n,
        days=days,
        per_hour=round(n / (days * 24), 4) if days else 0.0,
        per_day=_per(n, days),
        per_week=round(n * 7 / days, 4) if days else 0.0,
        trend_per_day=slope,
        trend=label,
        by_author=_by_author(commits, days, *authors),
        by_branch=tuple(
            BranchVelocity(branch, count, _per(count, days))
            for branch, count in _counts(commits["branch"])
        ),
        by_hour=tuple(int(h) for h in hours),
        by_weekday=tuple(int(w) for w in weekdays),
        busiest_hour=int(np.argmax(hours)) if n else None,
        busiest_weekday=WEEKDAYS[int(np.argmax(weekdays))] if n else None,
        daily=tuple(CommitDay(_iso(first + i), int(c)) for i, c in enumerate(daily)),
    )


def _author_codes(commits: pa.Table) -> tuple[Ints, list[str]]:
    """An integer per distinct (lower-cased) author email, and the emails."""
    emails = pc.utf8_lower(pc.fill_null(commits["author_email"], "")).combine_chunks()
    encoded = pc.dictionary_encode(emails)
    return np.asarray(encoded.indices.to_numpy(), dtype=np.int64), encoded.dictionary.to_pylist()


def _by_author(
    commits: pa.Table, days: int, codes: Ints, emails: list[str]
) -> tuple[AuthorVelocity, ...]:
    n = commits.num_rows
    if n == 0:
        return ()
    counts = np.bincount(codes, minlength=len(emails))
    # The name on each author's latest commit: sort by (author, time) and take
    # the last row of each author's run.
    order = np.lexsort((_ints(commits["committer_time"]), codes))
    sorted_codes = codes[order]
    last_rows = order[np.r_[sorted_codes[1:] != sorted_codes[:-1], True]]
    names = commits["author_name"].take(pa.array(last_rows)).to_pylist()
    authors = [
        AuthorVelocity(
            names[code] or emails[code],
            emails[code],
            int(counts[code]),
            _per(int(counts[code]), days),
            round(int(counts[code]) / n, 4),
        )
        for code in range(len(emails))
    ]
    authors.sort(key=lambda a: (-a.commits, a.email))
    return tuple(authors)


def _branch_switches(
    moves: pa.Table, move_days: Ints, switch_mask: npt.NDArray[np.bool_], first: int, last: int
) -> BranchSwitches:
    days = max(0, last - first + 1)
    in_window = (move_days >= first) & (move_days <= last)
    counted = switch_mask & in_window

    # Time on a branch: from a switch to the next switch or detach in the
    # same worktree (each worktree has its own HEAD). The latest switch of a
    # worktree is still open and has no length yet.
    times = _ints(moves["time"])
    worktree_codes = (
        np.asarray(
            pc.dictionary_encode(
                pc.fill_null(moves["worktree"], "").combine_chunks()
            ).indices.to_numpy(),
            dtype=np.int64,
        )
        if moves.num_rows
        else np.zeros(0, dtype=np.int64)
    )
    has_next = np.zeros(len(times), dtype=bool)
    stay = np.zeros(len(times), dtype=np.int64)
    if len(times) > 1:
        has_next[:-1] = worktree_codes[1:] == worktree_codes[:-1]
        stay[:-1] = times[1:] - times[:-1]
    stays = stay[counted & has_next]

    to = moves["to"].filter(pa.array(counted))
    index = move_days[counted] - first
    daily = np.bincount(index, minlength=days) if days else np.zeros(0, dtype=np.int64)
    count = int(counted.sum())
    return BranchSwitches(
        count=count,
        per_day=_per(count, days),
        by_branch=tuple(BranchSwitchCount(b or "", c) for b, c in _counts(to)),
        median_minutes_on_branch=round(float(np.median(stays)) / 60, 2) if len(stays) else None,
        daily=tuple(SwitchDay(_iso(first + i), int(c)) for i, c in enumerate(daily)),
    )


def _merges(commits: pa.Table, index: Ints, first: int, last: int, ref_events: pa.Table) -> Merges:
    days = max(0, last - first + 1)
    merge_mask = _bools(commits["is_merge"])
    merges = commits.select(["had_conflicts", "conflict_paths"]).filter(pa.array(merge_mask))
    checked = int(pc.sum(pc.is_valid(merges["had_conflicts"])).as_py() or 0)
    conflicted_mask = _bools(merges["had_conflicts"])
    conflicted = int(conflicted_mask.sum())
    paths = pc.list_flatten(merges["conflict_paths"].filter(pa.array(conflicted_mask)))
    hotspots = tuple(ConflictHotspot(p, c) for p, c in _counts(paths)[:HOTSPOT_LIMIT])

    squash = ref_events.filter(pc.fill_null(pc.equal(ref_events["kind"], "squash_merge"), False))
    squash_days = _local_days(_ints(squash["time"]), _ints(squash["tz"]))
    squash_count = int(((squash_days >= first) & (squash_days <= last)).sum())

    merge_index = index[merge_mask]
    per_day = np.bincount(merge_index, minlength=days) if days else np.zeros(0, dtype=np.int64)
    conflicted_per_day = (
        np.bincount(merge_index[conflicted_mask], minlength=days)
        if days
        else np.zeros(0, dtype=np.int64)
    )
    return Merges(
        count=merges.num_rows,
        checked=checked,
        conflicted=conflicted,
        conflict_rate=_ratio(conflicted, checked),
        hotspots=hotspots,
        squash_merges=squash_count,
        daily=tuple(
            MergeDay(_iso(first + i), int(m), int(c))
            for i, (m, c) in enumerate(zip(per_day, conflicted_per_day, strict=True))
        ),
    )


def _conventional(commits: pa.Table) -> ConventionalCompliance:
    category = commits["cc_category"]
    eligible = pc.fill_null(pc.is_in(category, pa.array(["conventional", "nonconforming"])), False)
    compliant = pc.and_(eligible, pc.fill_null(commits["cc_valid"], False))
    types = commits["cc_type"].filter(compliant)
    breaking = pc.and_(compliant, pc.fill_null(commits["cc_breaking"], False))
    standard = pc.fill_null(pc.is_in(types, pa.array(sorted(COMMITIZEN_TYPES))), False)
    categories = dict(_counts(category))
    n_eligible = int(pc.sum(eligible).as_py() or 0)
    n_compliant = int(pc.sum(compliant).as_py() or 0)
    return ConventionalCompliance(
        eligible=n_eligible,
        compliant=n_compliant,
        rate=_ratio(n_compliant, n_eligible),
        by_type={t or "": c for t, c in _counts(types)},
        breaking=int(pc.sum(breaking).as_py() or 0),
        nonstandard_types=int(len(types) - (pc.sum(standard).as_py() or 0)),
        merges=int(categories.get("merge", 0)),
        reverts=int(categories.get("revert", 0)),
        fixups=int(categories.get("fixup", 0)),
    )


def _sessions(commits: pa.Table, codes: Ints, gap_minutes: int) -> Sessions:
    """Runs of one author's commits with no gap longer than ``gap_minutes``.

    Author time, not committer time: a rebase rewrites committer dates to the
    minute of the rebase, which would fold days of work into one session.
    """
    n = commits.num_rows
    if n == 0:
        return Sessions(0, None, None, gap_minutes)
    times = _ints(commits["author_time"])
    order = np.lexsort((times, codes))
    t, c = times[order], codes[order]
    starts_session = np.ones(n, dtype=bool)
    starts_session[1:] = (c[1:] != c[:-1]) | (np.diff(t) > gap_minutes * 60)
    starts = np.flatnonzero(starts_session)
    ends = np.r_[starts[1:], n] - 1
    # Sorted by time within an author, so a session runs from its first row to its last.
    lengths = t[ends] - t[starts]
    count = len(starts)
    return Sessions(
        count=count,
        median_minutes=round(float(np.median(lengths)) / 60, 2),
        commits_per_session=round(n / count, 4),
        gap_minutes=gap_minutes,
    )
