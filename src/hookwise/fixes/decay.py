"""How much an attempt's evidence counts as it ages: exponential decay. Pure.

An attempt made ``age`` days before the evidence it is weighed against
counts

    2 ** (-age / half_life)

of a fresh one: at a half-life of 90 days, a fix from three months
earlier counts 0.5, from six months 0.25, from a year
2 ** (-365 / 90) = 0.060. (The recommender leaves decay off unless asked,
``RecommendConfig.half_life_days``: on pytest's mined history it lowered
top-3 from 0.284 to 0.170 at 90 days; docs/learning.md has the table.)
Successes and failures decay alike, so a recent failure outweighs an old
success of the same strategy.

**Decay never silences a memory.** Ages are measured from the newest
attempt that speaks to the same finding (``relative_decay``), not from
the clock: that attempt counts 1 and the others less, whatever the date.
A store whose last fix is two years old suggests what it suggested the
day that fix was made, with the same scores, and when all the evidence
is equally old nothing changes at all. Only the ratios between attempts
move, which is all decay is for; no threshold ever compares a decayed
weight with an absolute floor (``hookwise.fixes.recommend.TIE`` compares
scores whose largest weight is 1). Measured from the clock instead, two
years of age at 90 days would scale every weight by 2 ** -8.1 = 0.0036,
and the confidence of every suggestion would collapse with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

DAY = 86_400


def decay(age_seconds: float, half_life_days: float | None) -> float:
    """What evidence ``age_seconds`` older than the newest counts (1 without decay)."""
    if half_life_days is None or age_seconds <= 0:
        return 1.0
    # The same numpy call as ``relative_decay``, so record and column agree to the bit.
    return float(np.exp2(np.array([-age_seconds / (half_life_days * DAY)]))[0])


def relative_decay(
    time: npt.NDArray[np.integer[Any]],
    group: npt.NDArray[np.integer[Any]],
    groups: int,
    half_life_days: float | None,
) -> npt.NDArray[np.float64]:
    """``decay`` of each entry's age behind the newest entry of its group (a finding).

    ``time`` in epoch seconds, ``group`` in 0 .. groups - 1. The newest
    entry of every group counts exactly 1.
    """
    if half_life_days is None or not len(time):
        return np.ones(len(time))
    stamps = time.astype(np.int64)
    newest = np.full(groups, np.iinfo(np.int64).min)
    np.maximum.at(newest, group, stamps)
    age = (newest[group] - stamps).astype(np.float64)
    factors: npt.NDArray[np.float64] = np.exp2(-age / (half_life_days * DAY))
    return factors
