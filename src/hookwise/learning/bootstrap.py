"""Paired bootstrap intervals on the difference of two arms' mean scores.

Both arms answered the same findings, so each finding gives a difference
(arm's score minus the reference's: 1, 0 or -1 for top-1 and top-3, a
difference of reciprocal ranks for MRR). A resample draws as many findings
as there are, with replacement, and both arms are scored on that same draw:
its mean difference. The interval is the 2.5th and 97.5th percentiles of
``RESAMPLES`` such means. Pairing matters: most findings are answered
alike by both arms, and an unpaired interval would count that shared
variance twice (two identical arms give exactly 0, with an interval of
exactly [0, 0]).

Findings of one commit are not independent (one commit brought 1,647 of
pytest's mined fixes), so on histories dominated by a few commits the
interval is narrower than the truth; it says whether a difference is noise
among these findings, not whether it generalises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Resamples per interval. With 2,000 the 2.5th percentile rests on 50
#: resamples, and two seeds move a bound of a 0.01 difference by about
#: 0.001 on 5,000 findings: well below the differences worth acting on.
RESAMPLES = 2_000
#: Resamples drawn at once: 200 x 7,000 findings of int64 is 11 MB.
BLOCK = 200
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    difference: float  # the observed mean difference
    low: float
    high: float

    def to_json(self) -> dict[str, float]:
        return {"difference": self.difference, "low": self.low, "high": self.high}


def resample_means(
    differences: npt.NDArray[np.float64], seed: int, resamples: int = RESAMPLES
) -> npt.NDArray[np.float64]:
    """The mean of each resample of ``differences`` (drawn from ``seed``, reproducibly)."""
    rng = np.random.default_rng(seed)
    count = len(differences)
    means = np.empty(resamples, np.float64)
    for start in range(0, resamples, BLOCK):
        stop = min(start + BLOCK, resamples)
        draws = rng.integers(0, count, size=(stop - start, count))
        means[start:stop] = differences[draws].mean(axis=1)
    return means


def paired_interval(
    differences: npt.NDArray[np.float64], seed: int, resamples: int = RESAMPLES
) -> Interval | None:
    """The mean difference and its bootstrap interval; None without findings.

    Every metric of one comparison uses the same ``seed``, hence the same
    draws: the intervals of top-1, top-3 and MRR come from one set of resamples.
    """
    if not len(differences):
        return None
    means = resample_means(np.asarray(differences, np.float64), seed, resamples)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Interval(float(np.mean(differences)), float(low), float(high))
