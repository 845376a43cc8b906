"""The online A/B acceptance report in a terminal (``hookwise.learning.online``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from hookwise.learning.online import Acceptance


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def print_acceptance(acceptance: Acceptance, console: Console) -> None:
    """Per arm: shown, resolved, accepted, the acceptance rate and its 95% interval;
    then the difference between the arms with its interval."""
    from rich.table import Table

    if not acceptance.arms:
        console.print(
            "no suggestion was shown under an A/B arm yet: configure two arms under "
            "[tool.hookwise.ab] (docs/online-ab.md)",
            markup=False,
        )
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("arm", "shown", "resolved", "accepted", "acceptance", "95% interval"):
        table.add_column(column, justify="left" if column == "arm" else "right")
    for arm in acceptance.arms:
        interval = arm.interval
        table.add_row(
            arm.arm,
            f"{arm.shown:,}",
            f"{arm.resolved:,}",
            f"{arm.accepted:,}",
            _percent(arm.acceptance),
            "n/a" if interval is None else f"{_percent(interval[0])} - {_percent(interval[1])}",
        )
    console.print(table)
    difference = acceptance.difference
    if difference is None:
        console.print("difference: n/a (an arm has no resolved suggestion yet)")
        return
    one, two = (arm.arm for arm in acceptance.arms)
    value, low, high = difference
    verdict = (
        "no difference shown at 95%"
        if low <= 0.0 <= high
        else f"{one if value > 0 else two} is accepted more often"
    )
    console.print(
        f"difference {one} - {two}: {value:+.1%} (95% interval {low:+.1%} to {high:+.1%}): "
        f"{verdict}",
        markup=False,
    )
