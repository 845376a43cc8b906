"""Attempts in memory: neighbours (exact and partitioned) and the replay that calibrates."""

from __future__ import annotations

import numpy as np
import pytest

from hookwise.fixes import index as index_module
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.index import AttemptIndex, Partition, build_index, replay
from hookwise.fixes.memory import CurrentAttempt
from hookwise.fixes.recommend import RecommendConfig

CONFIG = RecommendConfig()


def attempt(n: int, rule: str, strategy: str, outcome: str = "success") -> CurrentAttempt:
    row = FixAttempt(
        id=f"id{n}",
        tool="ruff",
        rule=rule,
        message="m",
        path="a.py",
        snippet=None,
        fingerprint=f"f{n}",
        language="python",
        strategy=strategy,
        kind="unknown",
        source="manual",
        outcome=outcome,
        commit=None,
        diff=None,
        context=None,
        confirms=None,
        time=1_000 + n,
        recorded_at=1_000 + n,
    )
    return CurrentAttempt(row, outcome, None)


def unit_rows(n: int, dimension: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_partition_finds_most_true_neighbours() -> None:
    # Clustered vectors, as texts of a few hundred rules are.
    centres = unit_rows(200, 64, seed=1)
    rng = np.random.default_rng(2)
    owner = rng.integers(0, 200, 20_000)
    matrix = centres[owner] + 0.3 * unit_rows(20_000, 64, seed=3)
    matrix = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    partition = Partition.build(matrix, np.arange(len(matrix)))
    assert sorted(partition.order.tolist()) == list(range(len(matrix)))
    recall = []
    for query in matrix[rng.integers(0, len(matrix), 50)]:
        exact = set(np.argsort(-(matrix @ query))[:20].tolist())
        found, _ = partition.nearest(query, 20, 16)
        recall.append(len(exact & set(found.tolist())) / 20)
    assert np.mean(recall) >= 0.9


def test_a_big_index_uses_the_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "PARTITION_MIN_ROWS", 100)
    attempts = [attempt(n, "F401", "s") for n in range(400)]
    matrix = unit_rows(400, 16, seed=4)
    index = AttemptIndex(attempts, matrix, np.ones(400, np.bool_), "e")
    assert index.partition is not None
    rows, sims = index.neighbours(matrix[7], 5)
    assert 7 in rows.tolist() and float(sims.max()) == pytest.approx(1.0, abs=1e-5)


def test_the_replay_only_sees_earlier_attempts_and_knows_the_truth() -> None:
    # F401 is always fixed one way; E501 by wrapping 70% of the time, at
    # random, so about 70% of its top suggestions (wrap) are right.
    rng = np.random.default_rng(5)
    attempts = []
    for n in range(150):
        attempts.append(attempt(2 * n, "F401", "remove import"))
        attempts.append(attempt(2 * n + 1, "E501", "wrap" if rng.uniform() < 0.7 else "noqa"))
    matrix = np.zeros((len(attempts), 2), np.float32)
    for i, a in enumerate(attempts):
        matrix[i] = (1.0, 0.0) if a.attempt.rule == "F401" else (0.0, 1.0)
    index = build_index(attempts, matrix, np.ones(len(attempts), np.bool_), "e", CONFIG)
    pairs = replay(index, CONFIG, queries=1_000, top=1)
    assert len(pairs) == len(attempts) - 2  # each rule's first attempt had nothing before it
    by_raw = sorted(pairs)
    f401 = [right for raw, right in by_raw if raw > 0.9]
    assert f401 and all(f401)
    e501 = [(raw, right) for raw, right in by_raw if raw < 0.9]
    assert 0.6 <= np.mean([right for _, right in e501]) <= 0.8
    # Calibrated: a strategy that is right every time gets a high confidence,
    # E501's top suggestion about 0.7.
    assert index.calibration.confidence(max(p[0] for p in pairs)) > 0.85
    typical = float(np.median([raw for raw, _ in e501]))
    assert 0.55 <= index.calibration.confidence(typical) <= 0.85
