"""``hookwise doctor`` in a terminal: a mark, the check's name, what it found."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hookwise.doctor.run import Report


def doctor_lines(report: Report) -> list[str]:
    width = max((len(c.name) for c in report.checks), default=0)
    lines = [
        f"{'ok' if c.ok else '!!'}  {c.name:<{width}}  {c.detail}"
        + ("" if c.ok or c.repair is None or report.repaired else f"  [--repair: {c.repair}]")
        for c in report.checks
    ]
    lines += [f"repaired  {line}" for line in report.repaired]
    return lines
