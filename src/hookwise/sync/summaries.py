"""Day summaries built from the store, with the very functions ``hookwise metrics`` uses.

A summary's figures are ``hookwise metrics --from DAY --to DAY`` for that
day, not a second implementation that could drift from it: the commits
and ref events are sorted by their local day once, and each day's slice
goes through ``insights.metrics.compute`` with a one-day window. Every
figure a summary carries is counted inside the window (no figure reads a
neighbouring day), so the slice gives exactly the answer the whole
history would. A one-day call costs ~7 ms on a loaded 2-core machine:
a first sync of flask (5,531 commits on 1,503 days) builds in 11 s,
while a later one builds only the days from the watermark on (79 days
in 0.7 s). Vectorising the per-day figures would be faster, but it would
be a second definition of each figure to keep equal to ``metrics``.

Days of commits are the committer's own (as ``metrics`` reads them). A
check run or a fix attempt carries no time zone, so its day is read on
this machine's clock, where the developer ran it.

- ``active_branches``: the distinct branches that got a commit that day,
  which is the named entries of that day's ``metrics`` velocity
  ``by_branch`` (``hookwise metrics --from DAY --to DAY``). A commit's
  branch is the one checked out at capture, or the one backfill inferred;
  a commit whose branch backfill could not tell (``null``) names none.
  A switch to a branch without a commit on it is not work on it: it
  counts in ``branch_switches`` only, and the reflog that records
  switches is local and expires, so counting switch targets would make
  old days and backfilled ones look quieter than recent ones.
- ``checks_run``: check runs on that day (the worker deletes those older
  than ``HOOKWISE_CHECK_RUNS_DAYS``, so older days may count fewer);
- ``fixes``: settled fix attempts made that day (``patterns.settled``),
  per tool, rule and strategy kind, with their successes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import numpy as np
import pyarrow as pa

from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.memory import CurrentAttempt, current
from hookwise.insights.counting import Ints, day_number, ints, iso, local_days
from hookwise.insights.metrics import History, compute, load
from hookwise.insights.windows import Filters, Window
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts
from hookwise.sync.patterns import clean, settled
from hookwise.sync.wire import MAX_AUTHORS, MAX_FIX_TALLIES, DaySummary, FixTally, author_id


def attempts_of(store: Store) -> list[CurrentAttempt]:
    """Every fix attempt once, with its latest confirmed outcome."""
    return current(FixAttempt.from_row(row) for row in fix_attempts(store))


def local_day(seconds: int) -> date:
    """The calendar day of ``seconds`` on this machine's clock."""
    return datetime.fromtimestamp(seconds).date()


def day_summaries(
    store: Store,
    repo: str,
    *,
    start: date | None = None,
    attempts: Sequence[CurrentAttempt] | None = None,
) -> list[DaySummary]:
    """A summary of every day from ``start`` on (all days when None) on which anything happened."""
    history = load(store)
    runs = Counter(local_day(t) for t in _times(store.read("check_runs", columns=["time"])))
    tallies = _fix_tallies(settled(attempts_of(store) if attempts is None else attempts))
    commits = _by_day(history.commits, "committer_time", "committer_tz")
    events = _by_day(history.ref_events, "time", "tz")
    days = commits.days() | events.days() | set(runs) | set(tallies)
    summaries = []
    for day in sorted(d for d in days if start is None or d >= start):
        sliced = History(commits.of(day), events.of(day))
        m = compute(sliced, Filters(window=Window(day, day)), today=day)
        authors = sorted({author_id(a.email) for a in m.velocity.by_author})[:MAX_AUTHORS]
        summaries.append(
            DaySummary(
                repo=repo,
                day=day,
                commits=m.velocity.commits,
                authors=tuple(authors),
                merges=m.merges.count,
                conflicted_merges=m.merges.conflicted,
                branch_switches=m.branch_switches.count,
                active_branches=sum(1 for b in m.velocity.by_branch if b.branch),
                cc_eligible=m.conventional.eligible,
                cc_compliant=m.conventional.compliant,
                sessions=m.sessions.count,
                checks_run=runs.get(day, 0),
                fixes=tallies.get(day, ()),
            )
        )
    return summaries


class _Days:
    """A table's rows sorted by local day, sliced one day at a time (zero-copy)."""

    def __init__(self, table: pa.Table, numbers: Ints) -> None:
        order = np.argsort(numbers, kind="stable")
        self.table = table.take(pa.array(order)) if len(order) else table
        self.numbers = numbers[order]

    def days(self) -> set[date]:
        return {date.fromisoformat(iso(int(n))) for n in np.unique(self.numbers)}

    def of(self, day: date) -> pa.Table:
        n = day_number(day)
        lo, hi = np.searchsorted(self.numbers, [n, n + 1])
        return self.table.slice(int(lo), int(hi - lo))


def _by_day(table: pa.Table, time: str, tz: str) -> _Days:
    return _Days(table, local_days(ints(table[time]), ints(table[tz])))


def _times(table: pa.Table) -> Iterable[int]:
    return (int(t) for t in table["time"].to_pylist() if t is not None)


def _fix_tallies(attempts: Iterable[CurrentAttempt]) -> dict[date, tuple[FixTally, ...]]:
    counted: dict[date, Counter[tuple[str, str, str, bool]]] = {}
    for c in attempts:
        a = c.attempt
        key = (clean(a.tool, 64), clean(a.rule, 128), clean(a.kind, 64), c.outcome == "success")
        if not all(key[:3]):
            continue
        counted.setdefault(local_day(a.time), Counter())[key] += 1
    out = {}
    for day, counts in counted.items():
        per: dict[tuple[str, str, str], list[int]] = {}
        for (tool, rule, kind, won), n in counts.items():
            entry = per.setdefault((tool, rule, kind), [0, 0])
            entry[0] += n
            entry[1] += n if won else 0
        tallies = [FixTally(*key, n, won) for key, (n, won) in per.items()]
        tallies.sort(key=lambda t: (-t.attempts, t.tool, t.rule, t.kind))
        out[day] = tuple(tallies[:MAX_FIX_TALLIES])
    return out
