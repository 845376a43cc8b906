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

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hookwise.conventional import COMMITIZEN_TYPES
from hookwise.insights.counting import (
    DAY,
    Ints,
    bools,
    counts,
    day_number,
    ints,
    iso,
    local_days,
    per,
    ratio,
    trend,
)
from hookwise.insights.figures import (
    AuthorVelocity,
    BranchSwitchCount,
    BranchSwitches,
    BranchVelocity,
    CommitDay,
    ConflictHotspot,
    ConventionalCompliance,
    MergeDay,
    Merges,
    Metrics,
    Sessions,
    SwitchDay,
    Velocity,
    WindowInfo,
)
from hookwise.insights.windows import Filters, Window
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

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOTSPOT_LIMIT = 10


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
    return bools(keep)


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
    first = day_number(window.start) if window.start else int(seen.min()) if len(seen) else 0
    if window.end:
        last = day_number(window.end)
    elif window.start:
        # An open end runs to today, or to a commit dated later in its own zone.
        last = max(day_number(today), int(seen.max()) if len(seen) else 0)
    else:
        last = int(seen.max()) if len(seen) else -1
    return first, last


def compute(history: History, filters: Filters, *, today: date) -> Metrics:
    """Every metric of ``history`` under ``filters``; ``today`` anchors --since."""
    commits = history.commits
    commit_days = local_days(ints(commits["committer_time"]), ints(commits["committer_tz"]))
    keep = _commit_mask(commits, filters)
    moves = _select_moves(history.ref_events)
    move_days = local_days(ints(moves["time"]), ints(moves["tz"]))
    # `git checkout --detach` writes "moving from main to HEAD", which the
    # reflog reader takes for a switch; no branch can be called HEAD.
    switch_keep = pc.fill_null(
        pc.and_(pc.equal(moves["kind"], "switch"), pc.not_equal(moves["to"], "HEAD")), False
    )
    if filters.branch:
        switch_keep = pc.and_(
            switch_keep, pc.fill_null(pc.equal(moves["to"], filters.branch), False)
        )
    switch_mask = bools(switch_keep)

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
            start=iso(first) if days else None,
            end=iso(last) if days else None,
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

    local_seconds = ints(commits["committer_time"]) + ints(commits["committer_tz"]) * 60
    hours = np.bincount((local_seconds % DAY) // 3600, minlength=24)
    # 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
    weekdays = np.bincount((local_seconds // DAY + 3) % 7, minlength=7)

    return Velocity(
        commits=n,
        days=days,
        per_hour=round(n / (days * 24), 4) if days else 0.0,
        per_day=per(n, days),
        per_week=round(n * 7 / days, 4) if days else 0.0,
        trend_per_day=slope,
        trend=label,
        by_author=_by_author(commits, days, *authors),
        by_branch=tuple(
            BranchVelocity(branch, count, per(count, days))
            for branch, count in counts(commits["branch"])
        ),
        by_hour=tuple(int(h) for h in hours),
        by_weekday=tuple(int(w) for w in weekdays),
        busiest_hour=int(np.argmax(hours)) if n else None,
        busiest_weekday=WEEKDAYS[int(np.argmax(weekdays))] if n else None,
        daily=tuple(CommitDay(iso(first + i), int(c)) for i, c in enumerate(daily)),
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
    order = np.lexsort((ints(commits["committer_time"]), codes))
    sorted_codes = codes[order]
    last_rows = order[np.r_[sorted_codes[1:] != sorted_codes[:-1], True]]
    names = commits["author_name"].take(pa.array(last_rows)).to_pylist()
    authors = [
        AuthorVelocity(
            names[code] or emails[code],
            emails[code],
            int(counts[code]),
            per(int(counts[code]), days),
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
    times = ints(moves["time"])
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
        per_day=per(count, days),
        by_branch=tuple(BranchSwitchCount(b or "", c) for b, c in counts(to)),
        median_minutes_on_branch=round(float(np.median(stays)) / 60, 2) if len(stays) else None,
        daily=tuple(SwitchDay(iso(first + i), int(c)) for i, c in enumerate(daily)),
    )


def _merges(commits: pa.Table, index: Ints, first: int, last: int, ref_events: pa.Table) -> Merges:
    days = max(0, last - first + 1)
    merge_mask = bools(commits["is_merge"])
    merges = commits.select(["had_conflicts", "conflict_paths"]).filter(pa.array(merge_mask))
    checked = int(pc.sum(pc.is_valid(merges["had_conflicts"])).as_py() or 0)
    conflicted_mask = bools(merges["had_conflicts"])
    conflicted = int(conflicted_mask.sum())
    paths = pc.list_flatten(merges["conflict_paths"].filter(pa.array(conflicted_mask)))
    hotspots = tuple(ConflictHotspot(p, c) for p, c in counts(paths)[:HOTSPOT_LIMIT])

    squash = ref_events.filter(pc.fill_null(pc.equal(ref_events["kind"], "squash_merge"), False))
    squash_days = local_days(ints(squash["time"]), ints(squash["tz"]))
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
        unchecked=merges.num_rows - checked,
        conflicted=conflicted,
        conflict_rate=ratio(conflicted, checked),
        hotspots=hotspots,
        squash_merges=squash_count,
        daily=tuple(
            MergeDay(iso(first + i), int(m), int(c))
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
    categories = dict(counts(category))
    n_eligible = int(pc.sum(eligible).as_py() or 0)
    n_compliant = int(pc.sum(compliant).as_py() or 0)
    return ConventionalCompliance(
        eligible=n_eligible,
        compliant=n_compliant,
        rate=ratio(n_compliant, n_eligible),
        by_type={t or "": c for t, c in counts(types)},
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
    times = ints(commits["author_time"])
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
