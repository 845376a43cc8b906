"""``hookwise.learning.skills``: exact figures on a log recorded through ``fix record``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hookwise.fixes.context import Context
from hookwise.fixes.memory import confirm, list_attempts
from hookwise.fixes.record import record
from hookwise.learning.skills import ContextFigures, band, skills_of, wilson
from hookwise.store.db import Store
from tests.fixes.lines import line, lines

START = datetime(2025, 1, 1, tzinfo=UTC)
TS_FINDING = {
    "tool": "eslint",
    "rule": "no-unused-vars",
    "message": "'x' is assigned a value but never used.",
    "path": "web/a.ts",
    "line": 3,
}


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def _stamp(n: int) -> int:
    return int((START + timedelta(days=n)).timestamp())


def _bot(complexity: int, measure: str = "cyclomatic") -> dict[str, object]:
    return {"skill": "bot", "complexity": complexity, "complexity_measure": measure}


@pytest.fixture
def logged(store: Store) -> Store:
    """bot: two successes in simple Python functions, a failure in a TypeScript block, and
    a success in a complex function later confirmed a failure; one manual and one agent
    attempt that name no skill."""
    result = record(
        store,
        lines(
            line(context=_bot(3), time=_day(0), commit="a1"),
            line(context=_bot(4), time=_day(10), commit="a2"),
            line(
                finding=TS_FINDING,
                strategy="drop the variable",
                outcome="failure",
                context=_bot(30, "lines"),
                time=_day(100),
            ),
            line(context=_bot(12), time=_day(190), commit="a4"),
            line(time=_day(50), commit="m1"),
            line(outcome="failure", source="agent", time=_day(60), commit="g1"),
        ),
        now=_stamp(200),
    )
    assert result.bad == ()
    [late] = [a for a in list_attempts(store) if a.attempt.commit == "a4"]
    confirm(store, late.attempt.id, "failure", now=_stamp(195))
    return store


def test_skills_report_exact_figures(logged: Store) -> None:
    report = skills_of(logged)
    assert [s.name for s in report.skills] == ["bot", "(agent)", "(manual)"]
    bot = report.skills[0]
    assert (bot.attempts, bot.successes, bot.failures, bot.pending) == (4, 2, 2, 0)
    assert bot.success_rate == 0.5
    # Ages behind the newest (day 190): 190, 180, 90 and 0 days at a half-life of 90.
    weights = [2 ** (-190 / 90), 2 ** (-180 / 90), 2 ** (-90 / 90), 1.0]
    decayed = (weights[0] + weights[1]) / sum(weights)
    assert bot.decayed_success_rate == pytest.approx(decayed, rel=1e-9)
    assert decayed == pytest.approx(0.24299, abs=1e-5)
    assert (bot.last_attempted, bot.last_successful) == (_stamp(190), _stamp(10))
    assert bot.most_effective == (ContextFigures("python", "ruff F401", "cc 1-5", 2, 2),)
    assert bot.least_effective == (
        ContextFigures("python", "ruff F401", "cc 11-20", 1, 0),
        ContextFigures("typescript", "eslint no-unused-vars", "11-50 lines", 1, 0),
    )
    manual = report.skills[2]
    assert (manual.skill, manual.source, manual.success_rate) == (None, "manual", 1.0)
    assert manual.last_successful == _stamp(50)
    assert manual.least_effective == ()
    agent = report.skills[1]
    assert (agent.success_rate, agent.decayed_success_rate, agent.last_successful) == (
        0.0,
        0.0,
        None,
    )


def test_since_keeps_the_later_attempts_and_no_decay_gives_the_raw_rate(logged: Store) -> None:
    report = skills_of(logged, since=_stamp(100), half_life_days=None)
    [bot] = report.skills
    assert (bot.attempts, bot.success_rate, bot.decayed_success_rate) == (2, 0.0, 0.0)
    assert report.to_json()["since"] == _stamp(100)
    whole = skills_of(logged, half_life_days=None).skills[0]
    assert whole.decayed_success_rate == whole.success_rate == 0.5


def test_a_skill_idle_for_years_keeps_its_decayed_rate(store: Store) -> None:
    late = [line(context={"skill": "old"}, time=_day(n), commit=f"c{n}") for n in (0, 1)]
    record(store, lines(*late), now=_stamp(2000))
    [old] = skills_of(store).skills
    assert old.decayed_success_rate == 1.0


def test_bands_and_wilson_bounds() -> None:
    assert band(Context(complexity=5, measure="cyclomatic")) == "cc 1-5"
    assert band(Context(complexity=21, measure="cyclomatic")) == "cc 21+"
    assert band(Context(complexity=51, measure="lines")) == "51+ lines"
    assert band(Context()) is None
    low, high = wilson(9, 10)
    assert (low, high) == pytest.approx((0.5958, 0.9821), abs=1e-4)
    assert wilson(1, 1)[0] < low  # one success ranks below nine of ten
    assert wilson(0, 0) == (0.0, 1.0)
