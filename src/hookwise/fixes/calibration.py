"""Confidence: the probability that a suggested strategy is the one that fixes the finding.

A raw score (``hookwise.fixes.recommend``) orders strategies but is no
probability. The store's own attempts say what it is worth: replaying them
in the order they were made (``hookwise.fixes.index.replay``), each
successful attempt is a finding whose true strategy is known, suggested
for from the attempts made before it; every strategy suggested gives a pair
(raw score, was it the one). ``fit`` turns those pairs into a mapping:

1. the pairs, sorted by raw score, fall into blocks of at least
   ``MIN_PAIRS`` consecutive pairs (``len(pairs) // MAX_BLOCKS`` when that
   is more), so every block's accuracy rests on enough pairs to mean
   something, wherever the raw scores crowd;
2. each block's probability is its observed accuracy shrunk towards its
   mean raw score by ``prior_pairs`` pseudo-pairs,
   ``(correct + prior_pairs * mean_raw) / (count + prior_pairs)``, so a
   young store's few pairs move the raw score a little;
3. the blocks are made non-decreasing (pool adjacent violators, weighted by
   count plus prior: isotonic regression over the blocks), since a higher
   raw score must never mean a lower confidence;
4. a raw score is mapped by linear interpolation between blocks' mean raw
   scores, and flat beyond the first and the last.

Blocks of equal count replaced ten bins of equal width (each with ten
pseudo-pairs at its raw score). Replayed on pytest's mined fixes (the
tuning set, ``bench/replay.py --in-memory``), the high bins held a dozen
pairs each, so they stayed near the raw score, and the raw score is
overconfident there: a rule whose 100 newest fixes are one mass commit's
gives its strategy a raw score near 1 that the next commit does not bear
out. Scored with every commit counting once (a commit's findings are one
draw, not hundreds), ECE went from 0.046 to 0.011 on pytest and from
0.107 to 0.061 on flask (held out, only scored); per finding, 0.045 to
0.079 on pytest (its few mass commits decide that figure) and 0.115 to
0.075 on flask. Blocks of 30 pairs scored 0.035 per commit on pytest,
blocks without pseudo-pairs 0.013, a logistic fit on the logit of the
raw score 0.017 and with the support as a second feature 0.056.

With no pairs at all (a young store) the mapping is the identity: the raw
score, a share of the votes with one vote kept for "something else", is
the documented fallback. ``reliability`` gives the table that shows
whether confidences hold: per bin of confidence, how many suggestions,
their mean confidence, and how often they were right; ``weights`` lets
each commit count once.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Bins of confidence in the reliability table.
BINS = 10
#: The fewest replayed pairs a block of raw scores holds (module docstring):
#: a block's accuracy is then known to about +-0.07 (one standard error at 0.5).
MIN_PAIRS = 50
#: At most this many blocks: many pairs make more blocks, not finer noise.
MAX_BLOCKS = 20
#: Pseudo-pairs per block at the raw score: ten replayed suggestions weigh as
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
    pairs: Sequence[tuple[float, bool]],
    *,
    min_pairs: int = MIN_PAIRS,
    prior_pairs: float = PRIOR_PAIRS,
) -> Calibration:
    """The calibration the replayed ``(raw score, was right)`` pairs give."""
    if not pairs:
        return IDENTITY
    raw = np.clip(np.array([p[0] for p in pairs], np.float64), 0.0, 1.0)
    right = np.array([p[1] for p in pairs], np.float64)
    order = np.argsort(raw, kind="stable")
    raw, right = raw[order], right[order]
    size = max(min_pairs, len(raw) // MAX_BLOCKS, 1)
    # Cuts every ``size`` pairs, the remainder joining the last block, and never
    # between equal raw scores (one score must map to one confidence).
    cuts = [cut for cut in range(size, len(raw) - size + 1, size) if raw[cut] > raw[cut - 1]]
    means, values, weights = [], [], []
    for start, end in itertools.pairwise([0, *cuts, len(raw)]):
        count = end - start
        mean = float(raw[start:end].mean())
        means.append(mean)
        values.append((float(right[start:end].sum()) + prior_pairs * mean) / (count + prior_pairs))
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
    weight: float | None = None  # their total weight, when weighted (each commit's sums to 1)

    def to_json(self) -> dict[str, object]:
        shape: dict[str, object] = {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "confidence": self.confidence,
            "accuracy": self.accuracy,
        }
        if self.weight is not None:
            shape["weight"] = self.weight
        return shape


def reliability(
    predictions: Sequence[tuple[float, bool]],
    *,
    bins: int = BINS,
    weights: Sequence[float] | None = None,
) -> list[ReliabilityBin]:
    """Per bin of confidence (the last bin includes 1.0): count, mean confidence, accuracy.

    With ``weights`` (one per prediction) the means are weighted: ``commit_weights``
    makes each commit count once, however many findings it fixed.
    """
    table = []
    confidence = np.array([p[0] for p in predictions], np.float64)
    right = np.array([p[1] for p in predictions], np.float64)
    weight = np.ones(len(confidence)) if weights is None else np.asarray(weights, np.float64)
    which = np.minimum((np.clip(confidence, 0.0, 1.0) * bins).astype(np.int64), bins - 1)
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        mass = float(weight[inside].sum())
        table.append(
            ReliabilityBin(
                low=b / bins,
                high=(b + 1) / bins,
                count=count,
                confidence=float(confidence[inside] @ weight[inside]) / mass if count else None,
                accuracy=float(right[inside] @ weight[inside]) / mass if count else None,
                weight=None if weights is None else mass,
            )
        )
    return table


def commit_weights(commits: Sequence[object]) -> list[float]:
    """1 / (how many predictions share its commit), per prediction: each commit counts once.

    A mass commit's findings are one draw, not hundreds: pytest's iteration 11
    is one commit with 1,647 fixes, which alone would fill a confidence bin.
    """
    sizes: dict[object, int] = {}
    for commit in commits:
        sizes[commit] = sizes.get(commit, 0) + 1
    return [1.0 / sizes[commit] for commit in commits]


def calibration_error(table: Sequence[ReliabilityBin]) -> float | None:
    """Expected calibration error: the mean |confidence - accuracy| weighted by each bin's
    count (or its weight, when the table is weighted)."""
    mass = [b.count if b.weight is None else b.weight for b in table]
    total = sum(mass)
    if total == 0:
        return None
    gaps = (
        m * abs(b.confidence - b.accuracy)
        for b, m in zip(table, mass, strict=True)
        if b.confidence is not None and b.accuracy is not None
    )
    return sum(gaps) / total
