"""Confidence: the probability that a suggested strategy is the one that fixes the finding.

A raw score (``hookwise.fixes.recommend``) orders strategies but is no
probability. The store's own attempts say what it is worth: replaying them
in the order they were made (``hookwise.fixes.index.replay``), each
successful attempt is a finding whose true strategy is known, suggested
for from the attempts made before it; every strategy suggested gives a pair
(raw score, was it the one). ``fit`` turns those pairs into a mapping:

1. the pairs fall into ``bins`` equal-width bins of raw score;
2. each bin's probability is its observed accuracy shrunk towards its
   mean raw score by ``prior_pairs`` pseudo-pairs,
   ``(correct + prior_pairs * mean_raw) / (count + prior_pairs)``, so a bin
   of three pairs moves a little and a bin of three hundred says what it saw;
3. the bins are made non-decreasing (pool adjacent violators, weighted by
   count plus prior: isotonic regression over the bins), since a higher raw
   score must never mean a lower confidence;
4. a raw score is mapped by linear interpolation between bins' mean raw
   scores, and flat beyond the first and the last.

With no pairs at all (a young store) the mapping is the identity: the raw
score, a share of the votes with one vote kept for "something else", is
the documented fallback, and the shrinkage makes the move from it to the
fitted mapping gradual as replayed pairs arrive. ``reliability`` gives the
table that shows whether confidences hold: per bin of confidence, how many
suggestions, their mean confidence, and how often they were right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Bins of raw score, and of confidence in the reliability table.
BINS = 10
#: Pseudo-pairs per bin at the raw score: ten replayed suggestions weigh as
#: much as the fallback's guess, a few hundred drown it.
PRIOR_PAIRS = 10.0


@dataclass(frozen=True)
class Calibration:
    """A non-decreasing map from raw score to confidence, knot by knot."""

    raw: tuple[float, ...]  # knots' raw scores, increasing
    probability: tuple[float, ...]  # confidence at each knot, non-decreasing
    pairs: int  # replayed (raw, correct) pairs it was fitted on

    def confidence(self, raw: float) -> float:
        return float(np.interp(raw, self.raw, self.probability))

    def confidences(self, raw: Sequence[float]) -> list[float]:
        """``confidence`` of each, in one call (a request maps about a hundred)."""
        mapped: list[float] = np.interp(raw, self.raw, self.probability).tolist()
        return mapped

    def to_json(self) -> dict[str, object]:
        return {"raw": list(self.raw), "probability": list(self.probability), "pairs": self.pairs}


IDENTITY = Calibration((0.0, 1.0), (0.0, 1.0), 0)


def fit(
    pairs: Sequence[tuple[float, bool]], *, bins: int = BINS, prior_pairs: float = PRIOR_PAIRS
) -> Calibration:
    """The calibration the replayed ``(raw score, was right)`` pairs give."""
    if not pairs:
        return IDENTITY
    raw = np.clip(np.array([p[0] for p in pairs], np.float64), 0.0, 1.0)
    right = np.array([p[1] for p in pairs], np.float64)
    which = np.minimum((raw * bins).astype(np.int64), bins - 1)
    means, values, weights = [], [], []
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        if count == 0:
            continue
        mean = float(raw[inside].mean())
        means.append(mean)
        values.append((float(right[inside].sum()) + prior_pairs * mean) / (count + prior_pairs))
        weights.append(count + prior_pairs)
    monotone = _pool_adjacent_violators(values, weights)
    return Calibration(tuple(means), tuple(monotone), len(pairs))


def _pool_adjacent_violators(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence nearest ``values`` in weighted least squares."""
    blocks: list[list[float]] = []  # [mean, weight, how many values]
    for value, w in zip(values, weights, strict=True):
        blocks.append([value, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            last = blocks.pop()
            prev = blocks[-1]
            total = prev[1] + last[1]
            blocks[-1] = [(prev[0] * prev[1] + last[0] * last[1]) / total, total, prev[2] + last[2]]
    return [mean for mean, _, n in blocks for _ in range(int(n))]


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int  # suggestions with a confidence in [low, high)
    confidence: float | None  # their mean confidence
    accuracy: float | None  # the share of them that was the strategy that fixed it

    def to_json(self) -> dict[str, object]:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "confidence": self.confidence,
            "accuracy": self.accuracy,
        }


def reliability(
    predictions: Sequence[tuple[float, bool]], *, bins: int = BINS
) -> list[ReliabilityBin]:
    """Per bin of confidence (the last bin includes 1.0): count, mean confidence, accuracy."""
    table = []
    confidence = np.array([p[0] for p in predictions], np.float64)
    right = np.array([p[1] for p in predictions], np.float64)
    which = np.minimum((np.clip(confidence, 0.0, 1.0) * bins).astype(np.int64), bins - 1)
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        table.append(
            ReliabilityBin(
                low=b / bins,
                high=(b + 1) / bins,
                count=count,
                confidence=float(confidence[inside].mean()) if count else None,
                accuracy=float(right[inside].mean()) if count else None,
            )
        )
    return table


def calibration_error(table: Sequence[ReliabilityBin]) -> float | None:
    """Expected calibration error: the count-weighted mean |confidence - accuracy|."""
    total = sum(b.count for b in table)
    if total == 0:
        return None
    gaps = (
        b.count * abs(b.confidence - b.accuracy)
        for b in table
        if b.confidence is not None and b.accuracy is not None
    )
    return sum(gaps) / total
