"""Online A/B: how often developers take the suggestions of each arm (docs/online-ab.md).

With two arms configured, the worker answers each finding with one arm's
``RecommendConfig`` (``hookwise.fixes.arms.arm_of``), and what the check
showed is stored with its arm (``hookwise.learning.pending``). The unit is
a *showing*: one finding listed under one check run, with the strategies
printed under it. Per arm:

- ``shown``: showings;
- ``resolved``: showings with a verdict, automatic or a human's (any of
  its strategies settled as ``success`` or ``failure``);
- ``accepted``: resolved showings where the developer applied a shown
  strategy: one settled ``success``, or ``failure`` because the finding
  stayed after the edit applied it;
- ``acceptance``: accepted / resolved, with a 95% Wilson score interval,
  which keeps within [0, 1] and holds its coverage at the small counts an
  arm has in its first weeks, where the normal approximation's does not
  (at 3 of 10 it gives 0.02-0.58; Wilson 0.11-0.60).

The difference between the arms (first minus second, in name order) has
Newcombe's hybrid score interval (his method 10), built from the two
Wilson intervals: an interval for a difference of two independent
proportions that needs no more than the counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hookwise.fixes.attempt import FixAttempt
from hookwise.learning.pending import STILL_FAILING, SUGGESTED, context_of, states
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts

#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
LEVEL = 0.95


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` in ``trials``; None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(
    first: tuple[int, int], second: tuple[int, int], z: float = Z95
) -> tuple[float, float, float] | None:
    """The difference of two proportions, ``(successes, trials)`` each, first minus
    second, with Newcombe's hybrid score interval; None when either has no trials."""
    one, two = wilson(*first, z), wilson(*second, z)
    if one is None or two is None:
        return None
    p1, p2 = first[0] / first[1], second[0] / second[1]
    d = p1 - p2
    low = d - math.sqrt((p1 - one[0]) ** 2 + (two[1] - p2) ** 2)
    high = d + math.sqrt((one[1] - p1) ** 2 + (p2 - two[0]) ** 2)
    return d, low, high


@dataclass(frozen=True)
class ArmAcceptance:
    arm: str
    shown: int
    resolved: int
    accepted: int

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.resolved if self.resolved else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.accepted, self.resolved)

    def to_json(self) -> dict[str, Any]:
        interval = self.interval
        return {
            "arm": self.arm,
            "shown": self.shown,
            "resolved": self.resolved,
            "accepted": self.accepted,
            "acceptance": _round(self.acceptance),
            "interval": None if interval is None else [_round(x) for x in interval],
        }


@dataclass(frozen=True)
class Acceptance:
    """Per arm, in name order, and the difference of the first two."""

    arms: tuple[ArmAcceptance, ...]

    @property
    def difference(self) -> tuple[float, float, float] | None:
        if len(self.arms) != 2:
            return None
        one, two = self.arms
        return newcombe((one.accepted, one.resolved), (two.accepted, two.resolved))

    def to_json(self) -> dict[str, Any]:
        difference = self.difference
        return {
            "level": LEVEL,
            "arms": [arm.to_json() for arm in self.arms],
            "difference": None
            if difference is None
            else {
                "arms": [self.arms[0].arm, self.arms[1].arm],
                "value": _round(difference[0]),
                "interval": [_round(difference[1]), _round(difference[2])],
            },
        }


def acceptance(store: Store) -> Acceptance:
    """The acceptance of each arm's suggestions in the store's fix memory."""
    rows = (FixAttempt.from_row(row) for row in fix_attempts(store, source=SUGGESTED))
    return acceptance_of(rows)


def acceptance_of(rows: Iterable[FixAttempt]) -> Acceptance:
    """The acceptance per arm of ``suggested`` rows and their confirmations.

    Showings without an arm (A/B off, or answered from the rule prior
    without the worker) count for no arm.
    """
    showings: dict[str, dict[tuple[str, str], list[tuple[str, str | None]]]]
    showings = defaultdict(lambda: defaultdict(list))
    for shown in states(row for row in rows if row.source == SUGGESTED):
        arm = context_of(shown.attempt).get("arm")
        if isinstance(arm, str):
            showings[arm][shown.show].append((shown.outcome, shown.resolution))
    arms = []
    for arm in sorted(showings):
        resolved = accepted = 0
        for verdicts in showings[arm].values():
            if any(outcome != "pending" for outcome, _ in verdicts):
                resolved += 1
                accepted += any(
                    outcome == "success" or (outcome == "failure" and why == STILL_FAILING)
                    for outcome, why in verdicts
                )
        arms.append(ArmAcceptance(arm, len(showings[arm]), resolved, accepted))
    return Acceptance(tuple(arms))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
