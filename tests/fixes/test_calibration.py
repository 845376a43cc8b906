"""Confidence calibration: fitted on replays whose true accuracy is known."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hookwise.fixes.calibration import (
    IDENTITY,
    calibration_error,
    fit,
    reliability,
)


def _replay(truth: object, n: int, seed: int = 0) -> list[tuple[float, bool]]:
    """``n`` (raw score, right) pairs where a raw score r is right with probability truth(r)."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0.0, 1.0, n)
    right = rng.uniform(0.0, 1.0, n) < np.vectorize(truth)(raw)
    return list(zip(raw.tolist(), right.tolist(), strict=True))


def test_without_pairs_the_raw_score_is_the_confidence() -> None:
    assert fit([]) == IDENTITY
    assert [IDENTITY.confidence(r) for r in (0.0, 0.25, 0.9)] == [0.0, 0.25, 0.9]


def test_a_known_accuracy_curve_is_recovered() -> None:
    # A recommender whose raw scores are overconfident: right with probability r squared.
    calibration = fit(_replay(lambda r: r * r, 20_000))
    for raw in (0.15, 0.35, 0.55, 0.75, 0.95):
        assert calibration.confidence(raw) == pytest.approx(raw * raw, abs=0.04)


def test_calibrated_confidences_hold_on_a_fresh_replay() -> None:
    truth = lambda r: 0.2 + 0.6 * r  # noqa: E731
    calibration = fit(_replay(truth, 20_000, seed=1))
    fresh = _replay(truth, 20_000, seed=2)
    raw_table = reliability(fresh)
    calibrated = [(calibration.confidence(r), right) for r, right in fresh]
    table = reliability(calibrated)
    assert sum(b.count for b in table) == 20_000
    for row in table:
        if row.count >= 500:
            assert row.accuracy == pytest.approx(row.confidence, abs=0.04)
    before, after = calibration_error(raw_table), calibration_error(table)
    assert before is not None and after is not None
    assert after < 0.02 < before


def test_confidence_never_falls_as_the_raw_score_rises() -> None:
    # A noisy, non-monotone replay: accuracy dips in the middle.
    calibration = fit(_replay(lambda r: 0.6 if 0.4 < r < 0.6 else r * 0.5, 3_000, seed=3))
    curve = [calibration.confidence(r / 100) for r in range(101)]
    assert all(b >= a for a, b in itertools.pairwise(curve))


def test_a_few_pairs_move_the_confidence_only_a_little() -> None:
    # Three suggestions at raw 0.9, all wrong: shrunk towards 0.9 by ten pseudo-pairs.
    calibration = fit([(0.9, False)] * 3)
    assert calibration.confidence(0.9) == pytest.approx(9 / 13)


def test_the_reliability_table_counts_every_bin() -> None:
    table = reliability([(0.05, True), (0.08, False), (0.95, True), (1.0, True)])
    assert [b.count for b in table] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert (table[0].confidence, table[0].accuracy) == (pytest.approx(0.065), 0.5)
    assert table[1].confidence is None and table[1].accuracy is None
    assert table[9].to_json()["accuracy"] == 1.0
    assert calibration_error(reliability([])) is None
