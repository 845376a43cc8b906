"""Attempts in memory: neighbours (exact and partitioned), votes, and the replay that calibrates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hookwise.fixes import index as index_module
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.index import AttemptIndex, build_index, replay
from hookwise.fixes.memory import CurrentAttempt
from hookwise.fixes.recommend import RecommendConfig, choose

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


def test_a_big_index_uses_the_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "PARTITION_MIN_ROWS", 100)
    attempts = [attempt(n, "F401", "s") for n in range(400)]
    matrix = unit_rows(400, 16, seed=4)
    index = build_index(attempts, matrix, np.ones(400, np.bool_), "e", CONFIG)
    assert index.partition is not None
    # Rows are kept in list order: find attempt 7's row by its id.
    row = index.columns.ids.to_pylist().index("id7")
    [(rows, sims)] = index.neighbours(matrix[7:8], 5)
    assert row in rows.tolist() and float(sims.max()) == pytest.approx(1.0, abs=1e-3)


def clustered(rules: int, per_rule: int, seed: int) -> tuple[list[CurrentAttempt], np.ndarray]:
    """Attempts of ``rules`` rules whose vectors sit tight around one centre per rule,
    each rule fixed three ways with a skew, one attempt in five a failure."""
    rng = np.random.default_rng(seed)
    centres = unit_rows(rules, 32, seed=seed + 1)
    attempts, vectors = [], []
    for n in range(rules * per_rule):
        rule = int(rng.integers(0, rules))
        strategy = f"fix {rule}-{int(rng.choice(3, p=[0.6, 0.3, 0.1]))}"
        outcome = "failure" if rng.uniform() < 0.2 else "success"
        attempts.append(attempt(n, f"R{rule}", strategy, outcome))
        vectors.append(centres[rule] + 0.05 * rng.normal(size=32))
    matrix = np.array(vectors, np.float32)
    return attempts, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_the_partitioned_index_ranks_as_brute_force_does(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts, matrix = clustered(rules=40, per_rule=60, seed=6)
    present = np.ones(len(attempts), np.bool_)
    exact = build_index(attempts, matrix, present, "e", CONFIG)
    monkeypatch.setattr(index_module, "PARTITION_MIN_ROWS", 1_000)
    partitioned = build_index(attempts, matrix, present, "e", CONFIG)
    assert exact.partition is None and partitioned.partition is not None
    queries, rules = matrix[:50], [a.attempt.rule for a in attempts[:50]]

    def ranked(index: AttemptIndex) -> list[list[tuple[str, int, float]]]:
        c = index.columns
        ballot, _ = index.votes(
            queries, [c.rule_code("ruff", r) for r in rules], [1] * len(rules), CONFIG
        )
        chosen = choose(ballot, len(rules), index.strategy_rank, CONFIG)
        return [
            [(c.strategies.names[x.strategy], x.support, x.raw) for x in choices]
            for choices in chosen
        ]

    found, truth = ranked(partitioned), ranked(exact)
    assert all(truth)
    assert [[r[:2] for r in rs] for rs in found] == [[r[:2] for r in rs] for rs in truth]
    # Cosines from a product per list and from one over the whole matrix
    # differ in the last bits.
    raws = [r[2] for rs in found for r in rs]
    assert raws == pytest.approx([r[2] for rs in truth for r in rs], abs=1e-6)
    assert exact.calibration.pairs == partitioned.calibration.pairs


def test_an_attempt_without_a_vector_still_speaks_through_its_rule() -> None:
    attempts = [attempt(0, "F401", "near"), attempt(1, "F401", "ruled")]
    matrix = np.array([[1.0, 0.0], [0.0, 0.0]], np.float32)
    index = build_index(attempts, matrix, np.array([True, False]), "e", CONFIG)
    assert index.rows_with_vector == 1
    c = index.columns
    ballot, rows = index.votes(matrix[:1], [c.rule_code("ruff", "F401")], [0], CONFIG)
    assert sorted(c.ids.take(rows).to_pylist()) == ["id0", "id1"]
    [choices] = choose(ballot, 1, index.strategy_rank, CONFIG)
    assert [c.strategies.names[x.strategy] for x in choices] == ["near", "ruled"]


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
    # The first attempt had nothing before it; E501's first got F401's strategy, the
    # store's most common, in the place its own rule left empty (``common_fill``).
    assert len(pairs) == len(attempts) - 1
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


def test_the_replay_before_a_time_asks_only_what_was_made_earlier() -> None:
    # Six F401 attempts, one second apart from 1,000: as of 1,004 the replay asks the
    # four made before it, and the first of those had nothing before it to answer.
    attempts = [attempt(n, "F401", "remove import") for n in range(6)]
    matrix = np.tile(np.array([[1.0, 0.0]], np.float32), (6, 1))
    index = build_index(attempts, matrix, np.ones(6, np.bool_), "e", CONFIG)
    assert len(replay(index, CONFIG, top=1)) == 5
    assert len(replay(index, CONFIG, top=1, before=1_004)) == 3
    assert replay(index, CONFIG, before=1_000) == []


def at(moment: int, n: int, rule: str, strategy: str) -> CurrentAttempt:
    """Attempt ``n`` made at ``moment``: attempts that share one are one commit's."""
    made = attempt(n, rule, strategy)
    row = dataclasses.replace(made.attempt, time=moment, recorded_at=moment)
    return CurrentAttempt(row, made.outcome, None)


def test_a_mass_commit_counts_as_its_batch_power_says() -> None:
    # Nine fixes of one commit against two by hand, at the same rule.
    attempts = [at(5_000, n, "UP006", "bulk") for n in range(9)]
    attempts += [at(1_000 + n, 100 + n, "UP006", "by hand") for n in range(2)]
    matrix = unit_rows(len(attempts), 8, seed=1)
    firsts = {}
    for power in (0.0, 0.5, 1.0):
        config = RecommendConfig(batch_power=power, memory_share=0.0)  # the window alone
        index = build_index(attempts, matrix, np.ones(len(attempts), np.bool_), "e", config)
        rule = index.columns.rule_code("ruff", "UP006")
        ballot, _ = index.votes(None, [rule], [index.columns.language_code("python")], config)
        [choices] = choose(ballot, 1, index.strategy_rank, config)
        names = index.columns.strategies.names
        firsts[power] = [(names[c.strategy], round(c.raw, 4)) for c in choices]
    # The prior's 0.5 a vote: 9 x 0.5 against 2 x 0.5; then 3 x 0.5; then 1 x 0.5.
    assert firsts[0.0] == [("bulk", round(4.5 / 6.5, 4)), ("by hand", round(1 / 6.5, 4))]
    assert firsts[0.5] == [("bulk", round(1.5 / 3.5, 4)), ("by hand", round(1 / 3.5, 4))]
    assert firsts[1.0] == [("by hand", round(1 / 2.5, 4)), ("bulk", round(0.5 / 2.5, 4))]


def test_calibration_asks_once_per_commit_and_rule_spread_over_time() -> None:
    singles = [at(1_000 + n, n, "F401", "remove it") for n in range(10)]
    mass = [at(9_000, 100 + n, "F401", "remove it") for n in range(40)]
    attempts = singles + mass
    matrix = unit_rows(len(attempts), 8, seed=2)
    index = build_index(attempts, matrix, np.ones(len(attempts), np.bool_), "e", CONFIG)
    # Every query but the first has an earlier attempt to learn from: 9 singles and
    # the mass commit once, where each of its 40 fixes was a query before.
    assert len(replay(index, CONFIG, top=1)) == 10
    # Four spread from the first (nothing before it, no pair) to the mass commit.
    assert len(replay(index, CONFIG, queries=4, top=1)) == 3
