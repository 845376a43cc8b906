"""``hookwise skills`` in a terminal: a line of figures per skill, its best and worst context
under it (contexts are long; as table columns they wrapped into four lines a skill)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hookwise.learning.skills import ContextFigures, SkillsReport

HEADER = ("skill", "tries", "worked", "lately", "last try", "last win")


def skills_lines(report: SkillsReport) -> list[str]:
    """Skill, attempts, raw rate with the count behind it, decayed rate, days; contexts."""
    rows = []
    for s in report.skills:
        decided = s.successes + s.failures
        rows.append(
            (
                s.name,
                str(s.attempts),
                "-" if s.success_rate is None else f"{s.success_rate:.0%} of {decided}",
                "-" if s.decayed_success_rate is None else f"{s.decayed_success_rate:.0%}",
                _day(s.last_attempted),
                "-" if s.last_successful is None else _day(s.last_successful),
            )
        )
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = [_row(HEADER, widths)]
    for s, row in zip(report.skills, rows, strict=True):
        lines.append(_row(row, widths))
        if s.most_effective:
            lines.append(f"  best   {_contexts(s.most_effective)}")
        if s.least_effective:
            lines.append(f"  worst  {_contexts(s.least_effective)}")
    return lines


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    padded = [
        c.ljust(w) if i in (0, 2, 3) else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(padded).rstrip()


def _day(stamp: int) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(stamp))


def _contexts(contexts: tuple[ContextFigures, ...]) -> str:
    """``python ruff F401 cc 1-5 9/10; ...``: every rate as its count, never bare."""
    shown = []
    for context in contexts:
        parts = [context.language or "?", context.rule]
        if context.complexity is not None:
            parts.append(context.complexity)
        shown.append(f"{' '.join(parts)} {context.successes}/{context.attempts}")
    return "; ".join(shown)
