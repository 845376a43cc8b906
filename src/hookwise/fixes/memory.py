"""Fix memory: listing attempts, confirming their outcome, export and import.

Append-only (DESIGN §2). Confirming an attempt never changes its row: it
adds a confirmation, a row that copies the attempt with the confirmed
outcome, ``confirms`` set to the attempt's id, and ``time`` and
``recorded_at`` set to when it was confirmed. An attempt's outcome is its
latest confirmation's, or its own when it has none (``current``). So the
history of an outcome stays readable, two confirmations racing each add a
row instead of overwriting one, and an export carries every row.

``export`` writes every row, confirmations included, as JSON lines in the
order they were recorded; ``import_lines`` reads them back, skipping ids it
already has, so export -> import -> export gives the same lines.
"""

from __future__ import annotations

import json
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from hookwise.errors import UsageError
from hookwise.fixes.attempt import FixAttempt, attempt_id
from hookwise.fixes.record import RecordResult, store_lines
from hookwise.store.db import Store
from hookwise.store.fixes import add_fix_attempts, fix_attempts

CONFIRM_OUTCOMES = ("success", "failure")


@dataclass(frozen=True)
class CurrentAttempt:
    """An attempt with the outcome its confirmations give it."""

    attempt: FixAttempt
    outcome: str
    confirmed_at: int | None  # the latest confirmation's time; None if never confirmed

    def to_json(self) -> dict[str, Any]:
        shape = self.attempt.to_json()
        del shape["confirms"]
        shape["outcome"] = self.outcome
        shape["confirmed_at"] = self.confirmed_at
        return shape


def current(rows: Iterable[FixAttempt]) -> list[CurrentAttempt]:
    """Each attempt once, with its latest confirmed outcome; newest attempt first.

    Confirmations are ordered by ``recorded_at``; two in the same second
    are ordered failure last, so the cautious outcome stands. A
    confirmation whose attempt is not stored (a partial import) is ignored.
    """
    attempts, latest = latest_confirmations(rows)
    listed = []
    for attempt in attempts:
        confirmation = latest.get(attempt.id)
        if confirmation is None:
            listed.append(CurrentAttempt(attempt, attempt.outcome, None))
        else:
            listed.append(CurrentAttempt(attempt, confirmation.outcome, confirmation.recorded_at))
    listed.sort(key=lambda c: (c.attempt.time, c.attempt.id), reverse=True)
    return listed


def latest_confirmations(
    rows: Iterable[FixAttempt],
) -> tuple[list[FixAttempt], dict[str, FixAttempt]]:
    """The attempts in ``rows``, and each confirmed one's latest confirmation by its id
    (by ``recorded_at``; in the same second a failure is later, a pending note earlier)."""
    attempts: list[FixAttempt] = []
    latest: dict[str, FixAttempt] = {}
    for row in rows:
        if row.confirms is None:
            attempts.append(row)
            continue
        seen = latest.get(row.confirms)
        if seen is None or _order(row) > _order(seen):
            latest[row.confirms] = row
    return attempts, latest


#: In one second, a verdict is later than a note that keeps an outcome pending
#: (``hookwise.learning.pending``), and a failure later than a success.
_SAME_SECOND = {"pending": 0, "success": 1, "failure": 2}


def _order(row: FixAttempt) -> tuple[int, int, str]:
    return (row.recorded_at, _SAME_SECOND.get(row.outcome, 0), row.id)


def list_attempts(
    store: Store, *, tool: str | None = None, rule: str | None = None, limit: int | None = None
) -> list[CurrentAttempt]:
    """The attempts (of ``tool``, for ``rule``), newest first, at most ``limit``."""
    rows = [FixAttempt.from_row(row) for row in fix_attempts(store, tool=tool, rule=rule)]
    listed = current(rows)
    return listed if limit is None else listed[:limit]


def resolve(store: Store, ref: str) -> FixAttempt:
    """The attempt whose id is ``ref`` or starts with it (as ``hookwise fix list`` shows it)."""
    ref = ref.strip().lower()
    if not ref:
        raise UsageError("a fix attempt id must not be empty")
    rows = [FixAttempt.from_row(row) for row in fix_attempts(store)]
    matches = [r for r in rows if r.confirms is None and r.id.startswith(ref)]
    if not matches:
        raise UsageError(f"no fix attempt has id {ref!r}; `hookwise fix list` shows the ids")
    if len(matches) > 1:
        raise UsageError(
            f"{len(matches)} fix attempts have ids that start with {ref!r}; give more of the id"
        )
    return matches[0]


@dataclass(frozen=True)
class Confirmation:
    attempt: FixAttempt
    before: str  # the outcome it had
    outcome: str  # the outcome it has now


def confirm(store: Store, ref: str, outcome: str, *, now: float | None = None) -> Confirmation:
    """Record that attempt ``ref`` turned out ``outcome`` (success or failure)."""
    if outcome not in CONFIRM_OUTCOMES:
        raise UsageError(f"an outcome is success or failure, not {outcome!r}")
    attempt = resolve(store, ref)
    [before] = [c for c in current(_rows_of(store, attempt)) if c.attempt.id == attempt.id]
    stamp = int(clock.time() if now is None else now)
    fields = {**attempt.to_json(), "outcome": outcome, "confirms": attempt.id, "time": stamp}
    fields["id"] = attempt_id(fields)
    fields["recorded_at"] = stamp
    add_fix_attempts(store, [FixAttempt(**fields).to_row()])
    return Confirmation(attempt, before.outcome, outcome)


def _rows_of(store: Store, attempt: FixAttempt) -> list[FixAttempt]:
    rows = fix_attempts(store, tool=attempt.tool, rule=attempt.rule)
    return [FixAttempt.from_row(r) for r in rows if attempt.id in (r["id"], r["confirms"])]


def export(store: Store, out: TextIO) -> int:
    """Write every fix attempt row as a JSON line, in the order recorded; how many."""
    count = 0
    for row in fix_attempts(store):
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def import_lines(store: Store, data: bytes) -> RecordResult:
    """Store the exported rows of ``data`` whose id is new; report the bad lines."""
    return store_lines(store, data, FixAttempt.from_json)
