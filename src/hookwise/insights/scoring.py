"""The pure part of ``hookwise health``: components from plain counts, and the score.

Split from ``insights.health`` (which reads the store and git) so that the
aggregator, which sees only day summaries and may not import the store,
scores a repository with the very same rules and words. Standard library
only.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVITY_WEEKS = 4


@dataclass(frozen=True)
class Component:
    name: str  # activity | merge_pain | message_discipline | branch_hygiene | fix_success
    title: str
    score: int | None  # 0-100; None when there is nothing to measure
    weight: float  # share of the total score (0 when not applicable)
    detail: str  # what was measured
    advice: str | None  # what to do about it, when anything


def activity(active_weeks: int, recent_commits: int) -> Component:
    """Commits in ``active_weeks`` of the last four weeks (``recent_commits`` in all)."""
    detail = (
        f"commits in {active_weeks} of the last {ACTIVITY_WEEKS} weeks "
        f"({recent_commits} commits in {ACTIVITY_WEEKS * 7} days)"
    )
    advice = None
    if active_weeks == 0:
        advice = "no commits in four weeks: if the project is done, archive it; if not, revive it"
    elif active_weeks < ACTIVITY_WEEKS:
        advice = "work comes in bursts; smaller, more frequent commits keep history reviewable"
    return Component(
        "activity", "Activity", round(100 * active_weeks / ACTIVITY_WEEKS), 0.0, detail, advice
    )


def merge_pain(checked: int, conflicted: int, recent_days: int) -> Component:
    """``checked`` merges re-merged in memory, ``conflicted`` of them with conflicts."""
    if checked == 0:
        return Component(
            "merge_pain", "Merge pain", None, 0.0, f"no merges in the last {recent_days} days", None
        )
    advice = None
    if conflicted:
        advice = (
            "keep branches short-lived and bring the default branch into them often; "
            "see `hookwise metrics` for the paths that conflict most"
        )
    return Component(
        "merge_pain",
        "Merge pain",
        round(100 * (checked - conflicted) / checked),
        0.0,
        f"{checked - conflicted} of {checked} merges in the last {recent_days} days "
        "re-merge without conflicts",
        advice,
    )


def message_discipline(compliant: int, eligible: int, recent_days: int) -> Component:
    """``compliant`` of ``eligible`` commits follow Conventional Commits."""
    if eligible == 0:
        return Component(
            "message_discipline",
            "Message discipline",
            None,
            0.0,
            f"no commits to judge in the last {recent_days} days "
            "(merges, reverts and fixups do not count)",
            None,
        )
    advice = None
    if compliant < eligible:
        advice = (
            "write `type(scope): description` subjects; a commit-msg hook such as "
            "commitizen's `cz check --commit-msg-file` catches the rest"
        )
    return Component(
        "message_discipline",
        "Message discipline",
        round(100 * compliant / eligible),
        0.0,
        f"{compliant} of {eligible} commits in the last {recent_days} days "
        "follow Conventional Commits",
        advice,
    )


def fix_success(worked: int, settled: int, recent_days: int) -> list[Component]:
    """``worked`` of ``settled`` fix attempts succeeded; no component when none settled."""
    if settled == 0:
        return []
    advice = "`hookwise suggest` shows what worked before" if worked < settled else None
    detail = f"{worked} of {settled} fix attempts in the last {recent_days} days worked"
    return [
        Component("fix_success", "Fix success", round(100 * worked / settled), 0.0, detail, advice)
    ]


def weigh(components: list[Component]) -> tuple[int | None, tuple[Component, ...]]:
    """The plain average of the components that apply, and each one's share of it."""
    applicable = [c for c in components if c.score is not None]
    if not applicable:
        return None, tuple(components)
    share = round(1 / len(applicable), 4)
    weighed = tuple(
        Component(
            c.name, c.title, c.score, share if c.score is not None else 0.0, c.detail, c.advice
        )
        for c in components
    )
    score = round(sum(c.score for c in applicable if c.score is not None) / len(applicable))
    return score, weighed
