"""``hookwise skills``: how well each skill (agent, script, or hookwise itself) fixes things.

A skill is the ``skill`` an attempt's context names (``hookwise fix record``
with ``"context": {"skill": "..."}``). Attempts that name none are grouped
by their source instead, shown as ``(auto)`` (found by hookwise in check
runs and history), ``(agent)`` or ``(manual)``, so nothing recorded is left
out of the report.

Per skill, from each attempt's current outcome (confirmations folded in):

- ``attempts``, ``successes``, ``failures``, ``pending``;
- ``success_rate``: successes / (successes + failures), raw; None when
  nothing has an outcome yet;
- ``decayed_success_rate``: the same with each attempt weighted by
  ``hookwise.fixes.decay`` (half-life ``half_life_days``), its age counted
  behind the skill's newest decided attempt, so the rate says how the
  skill does lately and a skill idle for a year keeps its figure;
- ``last_attempted`` and ``last_successful`` (epoch seconds);
- ``most_effective`` and ``least_effective``: contexts, as (language,
  tool and rule, complexity band), with their attempts (those with an
  outcome) and successes. "Most" are contexts where the skill succeeded at
  least once, ranked by the lower Wilson bound of their rate at 95%;
  "least" are the others where it failed at least once, ranked by the
  upper bound, so 9 of 10 ranks above 1 of 1 and 0 of 5 below 0 of 1.
  Every rate is shown with its count: one success is "1/1", never "100%".

Complexity bands follow the usual cyclomatic grades (1-5 simple, 6-10,
11-20, 21+ complex); a size in lines is banded 1-10, 11-50, 51+.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hookwise.fixes.context import CYCLOMATIC, Context
from hookwise.fixes.decay import relative_decay
from hookwise.fixes.memory import CurrentAttempt, list_attempts
from hookwise.store.db import Store

#: Contexts listed as most and as least effective, per skill.
CONTEXTS = 3
#: The normal quantile of the Wilson bounds (95%, two-sided).
Z = 1.96
CYCLOMATIC_BANDS = ((5, "cc 1-5"), (10, "cc 6-10"), (20, "cc 11-20"))
LINE_BANDS = ((10, "1-10 lines"), (50, "11-50 lines"))


@dataclass(frozen=True)
class ContextFigures:
    language: str | None
    rule: str  # "tool rule"
    complexity: str | None  # the band
    attempts: int  # with an outcome
    successes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "rule": self.rule,
            "complexity": self.complexity,
            "attempts": self.attempts,
            "successes": self.successes,
            "success_rate": self.successes / self.attempts,
        }


@dataclass(frozen=True)
class SkillFigures:
    skill: str | None  # None: attempts that name no skill, grouped by source
    source: str | None  # their source when skill is None
    attempts: int
    successes: int
    failures: int
    pending: int
    success_rate: float | None
    decayed_success_rate: float | None
    last_attempted: int
    last_successful: int | None
    most_effective: tuple[ContextFigures, ...]
    least_effective: tuple[ContextFigures, ...]

    @property
    def name(self) -> str:
        return self.skill if self.skill is not None else f"({self.source})"

    def to_json(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "source": self.source,
            "attempts": self.attempts,
            "successes": self.successes,
            "failures": self.failures,
            "pending": self.pending,
            "success_rate": self.success_rate,
            "decayed_success_rate": self.decayed_success_rate,
            "last_attempted": self.last_attempted,
            "last_successful": self.last_successful,
            "most_effective": [c.to_json() for c in self.most_effective],
            "least_effective": [c.to_json() for c in self.least_effective],
        }


@dataclass(frozen=True)
class SkillsReport:
    skills: tuple[SkillFigures, ...]
    since: int | None
    half_life_days: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "half_life_days": self.half_life_days,
            "skills": [s.to_json() for s in self.skills],
        }


def band(context: Context) -> str | None:
    """The complexity band of a context; None when it has no complexity."""
    if context.complexity is None:
        return None
    cyclomatic = context.measure == CYCLOMATIC
    bands = CYCLOMATIC_BANDS if cyclomatic else LINE_BANDS
    for top, name in bands:
        if context.complexity <= top:
            return name
    return "cc 21+" if cyclomatic else "51+ lines"


def skills(
    attempts: Iterable[CurrentAttempt],
    *,
    since: int | None = None,
    half_life_days: float | None = 90.0,
) -> SkillsReport:
    """The report over ``attempts`` made at ``since`` (epoch seconds) or later."""
    groups: dict[tuple[str | None, str | None], list[tuple[CurrentAttempt, Context]]] = {}
    for current in attempts:
        attempt = current.attempt
        if since is not None and attempt.time < since:
            continue
        context = Context.of(attempt.context)
        key = (context.skill, None) if context.skill else (None, attempt.source)
        groups.setdefault(key, []).append((current, context))
    figures = [_figures(key, members, half_life_days) for key, members in groups.items()]
    figures.sort(key=lambda f: (-f.attempts, f.skill is None, f.name))
    return SkillsReport(tuple(figures), since, half_life_days)


def skills_of(
    store: Store, *, since: int | None = None, half_life_days: float | None = 90.0
) -> SkillsReport:
    """The report over every attempt of ``store``."""
    return skills(list_attempts(store), since=since, half_life_days=half_life_days)


def _figures(
    key: tuple[str | None, str | None],
    members: Sequence[tuple[CurrentAttempt, Context]],
    half_life_days: float | None,
) -> SkillFigures:
    outcomes = [current.outcome for current, _ in members]
    times = [current.attempt.time for current, _ in members]
    successes = outcomes.count("success")
    failures = outcomes.count("failure")
    decided = [i for i, outcome in enumerate(outcomes) if outcome in ("success", "failure")]
    rate = decayed = None
    if decided:
        rate = successes / len(decided)
        stamps = np.array([times[i] for i in decided], np.int64)
        weights = relative_decay(stamps, np.zeros(len(decided), np.int64), 1, half_life_days)
        won = np.array([outcomes[i] == "success" for i in decided], np.float64)
        decayed = float((weights * won).sum() / weights.sum())
    won_at = [t for t, outcome in zip(times, outcomes, strict=True) if outcome == "success"]
    most, least = _contexts([members[i] for i in decided])
    return SkillFigures(
        skill=key[0],
        source=key[1],
        attempts=len(members),
        successes=successes,
        failures=failures,
        pending=len(members) - successes - failures,
        success_rate=rate,
        decayed_success_rate=decayed,
        last_attempted=max(times),
        last_successful=max(won_at, default=None),
        most_effective=most,
        least_effective=least,
    )


def _contexts(
    decided: Sequence[tuple[CurrentAttempt, Context]],
) -> tuple[tuple[ContextFigures, ...], tuple[ContextFigures, ...]]:
    """The most and the least effective contexts (none listed in both)."""
    counts: dict[tuple[str | None, str, str | None], list[int]] = {}
    for current, context in decided:
        attempt = current.attempt
        key = (
            context.language or attempt.language,
            f"{attempt.tool} {attempt.rule}",
            band(context),
        )
        tally = counts.setdefault(key, [0, 0])
        tally[0] += 1
        tally[1] += current.outcome == "success"
    found = [ContextFigures(k[0], k[1], k[2], n, won) for k, (n, won) in counts.items()]
    label = _label
    worked = [c for c in found if c.successes]
    most = sorted(worked, key=lambda c: (-wilson(c.successes, c.attempts)[0], label(c)))
    most = most[:CONTEXTS]
    failed = [c for c in found if c.successes < c.attempts and c not in most]
    least = sorted(failed, key=lambda c: (wilson(c.successes, c.attempts)[1], label(c)))
    return tuple(most), tuple(least[:CONTEXTS])


def _label(context: ContextFigures) -> tuple[str, str, str]:
    return (context.language or "", context.rule, context.complexity or "")


def wilson(successes: int, attempts: int) -> tuple[float, float]:
    """The Wilson score interval of a rate at 95%: (lower, upper)."""
    if attempts == 0:
        return 0.0, 1.0
    p = successes / attempts
    spread = Z * math.sqrt(p * (1 - p) / attempts + Z * Z / (4 * attempts * attempts))
    centre = p + Z * Z / (2 * attempts)
    scale = 1 + Z * Z / attempts
    return (centre - spread) / scale, (centre + spread) / scale
