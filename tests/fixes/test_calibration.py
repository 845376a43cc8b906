"""Confidence calibration: fitted on replays whose true accuracy is known."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hookwise.fixes.calibration import (
    IDENTITY,
    MIN_PAIRS,
    calibration_error,
    commit_weights,
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


def test_a_thin_tail_of_high_raw_scores_gets_no_block_of_its_own() -> None:
    # 2,000 suggestions right 20% of the time, and 20 at raw 0.95 that happened to be
    # right: too few to say 0.95 (a mass commit's lucky rule), so they join a block.
    pairs = _replay(lambda r: 0.2, 2_000, seed=4)
    pairs = [(r * 0.5, right) for r, right in pairs] + [(0.95, True)] * 20
    calibration = fit(pairs)
    assert min(len(pairs) // 20, MIN_PAIRS) == MIN_PAIRS
    assert calibration.confidence(0.95) < 0.6
    assert calibration.confidence(0.2) == pytest.approx(0.2, abs=0.06)


def test_equal_raw_scores_are_never_split_between_blocks() -> None:
    pairs = [(0.5, i % 2 == 0) for i in range(200)] + [(0.7, True)] * 60
    calibration = fit(pairs)
    assert calibration.raw == pytest.approx((0.5, 0.7))
    assert calibration.confidence(0.5) == pytest.approx((100 + 10 * 0.5) / 210)


def test_weights_make_each_commit_count_once() -> None:
    # One commit's 98 findings all wrong at 0.8, two other commits right at 0.8.
    predictions = [(0.8, False)] * 98 + [(0.8, True), (0.8, True)]
    commits = ["mass"] * 98 + ["a", "b"]
    weights = commit_weights(commits)
    assert sum(weights) == pytest.approx(3.0)
    [row] = [b for b in reliability(predictions, weights=weights) if b.count]
    assert (row.count, row.weight, row.accuracy) == (100, pytest.approx(3.0), pytest.approx(2 / 3))
    assert row.to_json()["weight"] == pytest.approx(3.0)
    error = calibration_error(reliability(predictions, weights=weights))
    assert error == pytest.approx(abs(0.8 - 2 / 3))
    assert calibration_error(reliability(predictions)) == pytest.approx(0.78)


def test_the_reliability_table_counts_every_bin() -> None:
    table = reliability([(0.05, True), (0.08, False), (0.95, True), (1.0, True)])
    assert [b.count for b in table] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert (table[0].confidence, table[0].accuracy) == (pytest.approx(0.065), 0.5)
    assert table[1].confidence is None and table[1].accuracy is None
    assert table[9].to_json()["accuracy"] == 1.0
    assert calibration_error(reliability([])) is None
