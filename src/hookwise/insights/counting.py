"""Counting over Arrow columns: the small vectorised steps every metric is built of.

Days are numbered from the Unix epoch in a commit's own time zone
(``local_days``); rates with nothing to divide by are ``None``; ``trend``
says whether a series of daily counts rises, falls or holds steady.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc

EPOCH = date(1970, 1, 1)
DAY = 86_400
# A trend is called rising or falling only when the slope is at least this
# many standard errors away from zero (about 95% confidence for a few weeks
# of days); otherwise the series is "steady" whatever the slope's sign.
TREND_T = 2.0

Ints = npt.NDArray[np.int64]


def ints(column: Any, fill: int = 0) -> Ints:
    return np.asarray(pc.fill_null(column, fill).to_numpy(), dtype=np.int64)


def bools(column: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), dtype=bool)


def local_days(times: Ints, tz_minutes: Ints) -> Ints:
    return (times + tz_minutes * 60) // DAY


def day_number(d: date) -> int:
    return (d - EPOCH).days


def iso(day: int) -> str:
    return (EPOCH + timedelta(days=int(day))).isoformat()


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def per(count: int, days: int) -> float:
    return round(count / days, 4) if days else 0.0


def counts(values: Any) -> list[tuple[Any, int]]:
    """(value, count) pairs, most frequent first, then by value."""
    if len(values) == 0:
        return []
    vc = pc.value_counts(values)
    pairs = list(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True))
    pairs.sort(key=lambda p: (-p[1], p[0] is None, p[0] or ""))
    return pairs


def trend(daily: Ints) -> tuple[float | None, str | None]:
    """Least-squares slope of the daily counts and whether it means anything.

    The slope is the change of commits per day from one day to the next on
    the fitted line: +0.1 means ten days bring one more commit per day. It
    is "rising" or "falling" only when it is ``TREND_T``
    standard errors from zero; noise around a flat line is "steady".
    """
    n = len(daily)
    if n < 2:
        return None, None
    x = np.arange(n, dtype=np.float64)
    y = daily.astype(np.float64)
    dx = x - x.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ (y - y.mean())) / sxx
    rounded = round(slope, 4) + 0.0  # "+ 0.0" turns -0.0 into 0.0
    if n < 3:
        return rounded, None
    residuals = y - (y.mean() + slope * dx)
    stderr = float(np.sqrt(float(residuals @ residuals) / (n - 2) / sxx))
    if stderr == 0.0:  # a perfect line: its slope is all there is
        label = "rising" if slope > 0 else "falling" if slope < 0 else "steady"
    else:
        t = slope / stderr
        label = "rising" if t >= TREND_T else "falling" if t <= -TREND_T else "steady"
    return rounded, label
