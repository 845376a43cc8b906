"""Pending outcomes: what ``hookwise check`` showed, and what became of it (docs/fixes.md).

When a check prints suggestions under a finding, it spools what it showed
(``hookwise.checks.suggest.remember_shown``); the worker stores each
strategy shown as a ``fix_attempts`` row with source ``suggested`` and
outcome ``pending`` (DESIGN §3 names ``pending`` for exactly this), its
context saying the run, the rank it was shown at, how many were shown and
the A/B arm that answered. A strategy still pending for the same finding is
not stored again: a finding left open is shown at every commit, and one
row per strategy and finding keeps the acceptance figures counting
findings, not commits.

After each later check run, and after fix detection has recorded what the
run shows (``hookwise.fixes.detect``), ``resolve_pending`` settles what it
can from the attempts detection recorded at the finding's fingerprint
since it was shown, by adding a confirmation row as ``hookwise fix
confirm`` does (rows are only added; DESIGN §2), its context's
``resolution`` saying why:

- the finding is gone and the fix has a shown strategy: that strategy's
  row becomes ``success`` (``accepted``), the other rows ``failure``
  (``another fix``);
- the finding is gone with a strategy that was not shown: every row
  ``failure`` (``another fix``); the fix itself is detection's attempt;
- the finding is still there after a commit that edited its line with a
  shown strategy: that row ``failure`` (``applied, still failing``), the
  others stay pending;
- no verdict is possible (its line was edited with another strategy, or
  the finding went without a fix detection could see): a note, a
  confirmation that keeps the outcome ``pending`` with the reason, for
  ``hookwise fix pending`` to list.

A ``suggested`` row is never a vote (``hookwise.store.fixes.ranking_batches``):
its outcome says whether the suggestion was taken, and the fix it led to is
detection's attempt already, which would otherwise count twice.
"""

from __future__ import annotations

import json
import time as clock
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hookwise.capture.locations import RepoPaths
from hookwise.errors import UsageError
from hookwise.fixes.attempt import FixAttempt, attempt_id, canonical_context
from hookwise.fixes.kinds import KINDS
from hookwise.fixes.memory import latest_confirmations
from hookwise.fixes.scope import scope
from hookwise.store.db import Store
from hookwise.store.fixes import CheckRunRow, FindingRow, add_fix_attempts, check_runs, fix_attempts

SUGGESTED = "suggested"
ACCEPTED = "accepted"
ANOTHER_FIX = "another fix"
STILL_FAILING = "applied, still failing"
LINES_TOUCHED = "lines touched, another strategy"
GONE_UNSEEN = "gone, no fix seen"
STALE = "no verdict yet"
#: Days after which a shown suggestion with no verdict is listed for a human:
#: two weeks is several review cycles, after which the finding's lines are
#: rarely still the ones the check saw.
STALE_DAYS = 14


@dataclass(frozen=True)
class Shown:
    """One row of a shown suggestion with its latest confirmation (None: never confirmed)."""

    attempt: FixAttempt
    latest: FixAttempt | None

    @property
    def outcome(self) -> str:
        return self.attempt.outcome if self.latest is None else self.latest.outcome

    @property
    def resolution(self) -> str | None:
        return None if self.latest is None else context_of(self.latest).get("resolution")

    @property
    def show(self) -> tuple[str, str]:
        """The showing it belongs to: the run that showed it and the finding."""
        return str(context_of(self.attempt).get("run")), self.attempt.fingerprint


def context_of(attempt: FixAttempt) -> dict[str, Any]:
    parsed = json.loads(attempt.context) if attempt.context else {}
    return parsed if isinstance(parsed, dict) else {}


def states(rows: Iterable[FixAttempt]) -> list[Shown]:
    """Each shown suggestion with its latest confirmation, as ``hookwise fix list`` settles
    an attempt's outcome (``hookwise.fixes.memory``)."""
    attempts, latest = latest_confirmations(rows)
    return [Shown(attempt, latest.get(attempt.id)) for attempt in attempts]


def shown_attempts(
    run_id: str, when: int, shown: Sequence[dict[str, Any]], *, now: int
) -> list[FixAttempt]:
    """The pending rows of what run ``run_id`` showed at ``when`` (the spooled shape of
    ``hookwise.capture.checkrun.write_shown``); ``UsageError`` names a malformed one."""
    attempts = []
    for item in shown:
        finding = item.get("finding")
        strategies = item.get("strategies")
        arm = item.get("arm")
        if not isinstance(finding, dict) or not isinstance(strategies, list):
            raise UsageError("a shown finding needs 'finding' and 'strategies'")
        if arm is not None and not isinstance(arm, str):
            raise UsageError(f"a shown finding's arm must be a string, not {arm!r}")
        for rank, shown_strategy in enumerate(strategies, start=1):
            if not isinstance(shown_strategy, dict):
                raise UsageError("a shown strategy must be an object")
            kind = shown_strategy.get("kind")
            context = {"rank": rank, "run": run_id, "shown": len(strategies)}
            if arm is not None:
                context["arm"] = arm
            if isinstance(finding.get("language"), str):
                context["language"] = finding["language"]
            fields = {
                **{key: finding.get(key) for key in ("tool", "rule", "message", "path")},
                "snippet": finding.get("snippet"),
                "fingerprint": finding.get("fingerprint"),
                "language": finding.get("language"),
                "strategy": shown_strategy.get("strategy"),
                "kind": kind if kind in KINDS else "unknown",
                "source": SUGGESTED,
                "outcome": "pending",
                "commit": None,
                "diff": None,
                "context": canonical_context(context),
                "confirms": None,
                "time": when,
            }
            fields["id"] = attempt_id(fields)
            attempts.append(FixAttempt.from_json({**fields, "recorded_at": now}))
    return attempts


def store_shown(
    store: Store, run_id: str, when: int, shown: Sequence[dict[str, Any]], *, now: int | None = None
) -> int:
    """Store what run ``run_id`` showed as pending outcomes; how many rows were new.

    A strategy still pending for the same finding is kept as first shown.
    """
    stamp = int(clock.time()) if now is None else now
    attempts = shown_attempts(run_id, when, shown, now=stamp)
    if not attempts:
        return 0
    fingerprints = sorted({a.fingerprint for a in attempts})
    rows = fix_attempts(store, source=SUGGESTED, fingerprints=fingerprints)
    waiting = {
        (s.attempt.fingerprint, s.attempt.strategy)
        for s in states(FixAttempt.from_row(row) for row in rows)
        if s.outcome == "pending"
    }
    new = [a.to_row() for a in attempts if (a.fingerprint, a.strategy) not in waiting]
    return add_fix_attempts(store, new)


def resolve_pending(
    store: Store,
    paths: RepoPaths,
    run: CheckRunRow,
    findings: Sequence[FindingRow],
    *,
    now: int | None = None,
) -> int:
    """Settle what ``run`` shows about suggestions shown before it; confirmations added.

    Called after fix detection stored its attempts for ``run``. Idempotent:
    a confirmation's fields (its time is the run's) fix its id.
    """
    rows = fix_attempts(store, tool=run["tool"], source=SUGGESTED)
    shows: dict[tuple[str, str], list[Shown]] = defaultdict(list)
    for shown in states(FixAttempt.from_row(row) for row in rows):
        shows[shown.show].append(shown)
    shows = {key: group for key, group in shows.items() if _open(group)}
    if not shows:
        return 0
    mine = scope(run["command"], paths.worktree)
    runs = {earlier["id"]: earlier for earlier in check_runs(store, tool=run["tool"])}
    detected: dict[str, list[FixAttempt]] = defaultdict(list)
    for row in fix_attempts(
        store, tool=run["tool"], source="auto", fingerprints=sorted({fp for _, fp in shows})
    ):
        if row["confirms"] is None:
            detected[row["fingerprint"]].append(FixAttempt.from_row(row))
    present = {finding["fingerprint"] for finding in findings}
    stamp = int(clock.time()) if now is None else now
    added: list[FixAttempt] = []
    for (shown_run, fingerprint), group in shows.items():
        first = group[0].attempt
        earlier = runs.get(shown_run)
        if shown_run == run["id"] or run["time"] < first.time or not mine.covers(first.path):
            continue
        if earlier is not None and scope(earlier["command"], paths.worktree).shape != mine.shape:
            continue  # another selection of rules: what it does not report is not gone
        # Made after it was shown: a commit's committer time, or the run's for a fix
        # not committed yet. An edit committed before the showing (detection records
        # it at the showing run itself) is not what the developer did with it.
        since = [a for a in detected.get(fingerprint, ()) if a.time >= first.time]
        added += _verdicts(group, since, fingerprint in present, run["time"], stamp)
    return add_fix_attempts(store, [a.to_row() for a in added])


def _open(group: list[Shown]) -> list[Shown]:
    return [shown for shown in group if shown.outcome == "pending"]


def _verdicts(
    group: list[Shown], since: list[FixAttempt], present: bool, when: int, now: int
) -> list[FixAttempt]:
    """The confirmations one showing (every strategy shown, settled or not) gets from the
    attempts detected since it."""
    members = _open(group)
    newest = sorted(since, key=lambda a: (a.time, a.recorded_at, a.id))
    fixes = [a for a in newest if a.outcome == "success"]
    tries = [a for a in newest if a.outcome == "failure"]
    if fixes:
        fix = fixes[-1]
        return [
            _confirmation(m.attempt, "success", ACCEPTED, when, now, fix)
            if m.attempt.strategy == fix.strategy
            else _confirmation(m.attempt, "failure", ANOTHER_FIX, when, now, fix)
            for m in members
        ]
    if tries:
        tried = tries[-1]
        applied = [m for m in members if m.attempt.strategy == tried.strategy]
        if applied:
            return [
                _confirmation(m.attempt, "failure", STILL_FAILING, when, now, tried)
                for m in applied
            ]
        if any(shown.attempt.strategy == tried.strategy for shown in group):
            return []  # the shown strategy that failed is settled; the others stay open
        return _notes(members, LINES_TOUCHED, when, now, tried)
    if not present:
        return _notes(members, GONE_UNSEEN, when, now, None)
    return []


def _notes(
    members: list[Shown], reason: str, when: int, now: int, seen: FixAttempt | None
) -> list[FixAttempt]:
    """A note (outcome still ``pending``) on each member not already noted so."""
    return [
        _confirmation(m.attempt, "pending", reason, when, now, seen)
        for m in members
        if m.resolution != reason
    ]


def _confirmation(
    attempt: FixAttempt, outcome: str, resolution: str, when: int, now: int, seen: FixAttempt | None
) -> FixAttempt:
    """A confirmation of ``attempt``, as ``hookwise fix confirm`` adds one, saying why."""
    context = {**context_of(attempt), "resolution": resolution}
    if seen is not None:
        context["detected"] = seen.id
    fields = {
        **attempt.to_json(),
        "outcome": outcome,
        "commit": attempt.commit if seen is None else seen.commit,
        "context": canonical_context(context),
        "confirms": attempt.id,
        "time": when,
    }
    fields["id"] = attempt_id(fields)
    fields["recorded_at"] = now
    return FixAttempt(**fields)


@dataclass(frozen=True)
class Waiting:
    """A shown suggestion that needs a human's verdict, and why."""

    attempt: FixAttempt
    reason: str
    noted_at: int | None  # when the reason was found; None for one that is only old

    def to_json(self) -> dict[str, Any]:
        a = self.attempt
        context = context_of(a)
        return {
            "id": a.id,
            "tool": a.tool,
            "rule": a.rule,
            "message": a.message,
            "path": a.path,
            "fingerprint": a.fingerprint,
            "strategy": a.strategy,
            "kind": a.kind,
            "rank": context.get("rank"),
            "arm": context.get("arm"),
            "shown_at": a.time,
            "reason": self.reason,
            "noted_at": self.noted_at,
        }


def needs_human(store: Store, *, now: int | None = None, days: int = STALE_DAYS) -> list[Waiting]:
    """Shown suggestions no check can settle: noted, or pending for more than ``days``
    days; newest first."""
    if days < 0:
        raise UsageError(f"a number of days is 0 or more, not {days}")
    stamp = int(clock.time()) if now is None else now
    rows = (FixAttempt.from_row(row) for row in fix_attempts(store, source=SUGGESTED))
    waiting = []
    for shown in states(rows):
        if shown.outcome != "pending":
            continue
        if shown.latest is not None and shown.resolution:
            waiting.append(Waiting(shown.attempt, shown.resolution, shown.latest.time))
        elif stamp - shown.attempt.time > days * 86_400:
            waiting.append(Waiting(shown.attempt, STALE, None))
    waiting.sort(key=lambda w: (w.attempt.time, w.attempt.id), reverse=True)
    return waiting
