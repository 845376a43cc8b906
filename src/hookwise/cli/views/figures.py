"""Small figures in text: sparklines, byte sizes, counts, numbers that may be missing."""

from __future__ import annotations

from collections.abc import Sequence

SPARK = "▁▂▃▄▅▆▇█"
# Fits an 80-column table next to its label column.
SPARK_WIDTH = 56


def sparkline(values: Sequence[int], width: int = SPARK_WIDTH) -> str:
    """One character per value, or per bucket of values summed when there are more."""
    if not values:
        return ""
    if len(values) > width:
        size = -(-len(values) // width)
        values = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    top = max(values)
    if top == 0:
        return SPARK[0] * len(values)
    return "".join(
        " " if v == 0 else SPARK[min(len(SPARK) - 1, (v * len(SPARK) - 1) // top)] for v in values
    )


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def count(n: int, noun: str) -> str:
    """``1 commit``, ``2,048 commits``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"
