from __future__ import annotations

import numpy as np
import pytest

from hookwise.learning.bootstrap import paired_interval, resample_means


def test_identical_arms_differ_by_exactly_nothing() -> None:
    interval = paired_interval(np.zeros(500), seed=3)
    assert interval is not None
    assert (interval.difference, interval.low, interval.high) == (0.0, 0.0, 0.0)


def test_the_interval_of_two_findings_computed_by_hand() -> None:
    # Differences [1, 0]: a resample's mean is 0, 1/2 or 1 with chances 1/4, 1/2, 1/4,
    # so the 2.5th percentile of many resamples is 0 and the 97.5th is 1.
    interval = paired_interval(np.array([1.0, 0.0]), seed=0, resamples=4_000)
    assert interval is not None
    assert (interval.difference, interval.low, interval.high) == (0.5, 0.0, 1.0)
    means = resample_means(np.array([1.0, 0.0]), seed=0, resamples=4_000)
    assert set(np.unique(means).tolist()) == {0.0, 0.5, 1.0}
    assert np.mean(means == 0.5) == pytest.approx(0.5, abs=0.03)


def test_a_seed_gives_the_same_interval_and_an_interval_holds_its_difference() -> None:
    differences = np.random.default_rng(7).choice([-1.0, 0.0, 1.0], size=300, p=[0.2, 0.5, 0.3])
    first, again = paired_interval(differences, 11), paired_interval(differences, 11)
    assert first == again and first is not None
    assert first.low < first.difference < first.high
    assert first.difference == pytest.approx(differences.mean())


def test_no_findings_no_interval() -> None:
    assert paired_interval(np.zeros(0), seed=0) is None
