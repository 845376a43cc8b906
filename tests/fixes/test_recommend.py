"""The ranking itself: votes weighted by similarity, rule and outcome."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from hookwise.fixes.recommend import (
    OUTCOME_CODES,
    PENDING,
    TIE,
    Ballot,
    Example,
    Ranked,
    RecommendConfig,
    Vote,
    choose,
    finding_text,
    rank,
    weight,
)

CONFIG = RecommendConfig()


def vote(strategy: str, outcome: str = "success", **fields: object) -> Vote:
    base = Vote(strategy, "unknown", outcome, 0.8, True, False, 100, None, None)
    return replace(base, **fields)  # type: ignore[arg-type]


def test_a_neighbour_on_the_same_rule_counts_similarity_plus_prior() -> None:
    assert weight(vote("a"), CONFIG) == pytest.approx(1.3)
    assert weight(vote("a", same_rule=False), CONFIG) == pytest.approx(0.8)
    assert weight(vote("a", similarity=None), CONFIG) == pytest.approx(0.5)
    assert weight(vote("a", similarity=0.2, same_rule=False), CONFIG) == 0.0  # below the floor
    assert weight(vote("a", other_language=True), CONFIG) == 0.0


def test_near_duplicates_can_outweigh_loose_matches_and_other_rules_count_less() -> None:
    loosely = replace(CONFIG, similarity_floor=0.3)  # loose matches vote
    sharp = replace(loosely, similarity_power=3.0, other_rule_weight=0.5, prior_weight=0.0)
    assert weight(vote("a", similarity=0.9), sharp) == pytest.approx(0.729)
    assert weight(vote("a", similarity=0.9, same_rule=False), sharp) == pytest.approx(0.3645)
    close = [vote("near", similarity=0.98)]
    loose = [vote("loose", similarity=0.55), vote("loose", similarity=0.55)]
    plain = replace(loosely, prior_weight=0.0)
    assert rank(close + loose, plain)[0].strategy == "loose"
    assert rank(close + loose, sharp)[0].strategy == "near"


def test_raw_score_is_a_share_with_one_vote_for_something_else() -> None:
    [only] = rank([vote("a")], CONFIG)
    assert only.raw == pytest.approx(1.3 / 2.3)
    assert (only.support, only.success_rate) == (1, 1.0)


def test_failures_count_against_their_strategy() -> None:
    votes = [vote("a"), vote("a"), vote("b"), vote("a", "failure"), vote("a", "failure")]
    assert [r.strategy for r in rank(votes, CONFIG)] == ["b"]
    ignored = rank(votes, replace(CONFIG, failure_weight=0.0))
    assert [r.strategy for r in ignored] == ["a", "b"]
    assert ignored[0].success_rate == 0.5 and ignored[0].support == 4


def test_pending_attempts_do_not_vote() -> None:
    assert rank([vote("a", "pending")], CONFIG) == []


def test_switching_similarity_or_the_prior_off() -> None:
    near = vote("near", same_rule=False, similarity=0.9)
    ruled = vote("ruled", similarity=None)
    assert [r.strategy for r in rank([near, ruled], CONFIG)] == ["near", "ruled"]
    no_prior = replace(CONFIG, prior_weight=0.0)
    assert [r.strategy for r in rank([near, ruled], no_prior)] == ["near"]


def test_examples_are_the_most_similar_successes_with_a_fix_to_show() -> None:
    votes = [
        vote("a", similarity=0.5, commit="c1", diff="-x"),
        vote("a", similarity=0.9, commit="c2", diff="-y"),
        vote("a", similarity=0.95),  # nothing to show
        vote("a", "failure", similarity=0.99, commit="c3", diff="-z"),
        vote("a", similarity=0.7, commit="c4", diff="-w", time=5),
        vote("a", similarity=0.7, commit="c5", diff="-v", time=6),
    ]
    [ranked] = rank(votes, CONFIG)
    assert [e.commit for e in ranked.examples] == ["c2", "c5", "c4"]


def test_the_kind_is_the_most_common_among_the_attempts() -> None:
    votes = [vote("a", kind="delete"), vote("a", kind="imports"), vote("a", kind="imports")]
    assert rank(votes, CONFIG)[0].kind == "imports"


def test_finding_text() -> None:
    assert finding_text("ruff", "F401", "unused", " import os ") == "ruff F401: unused\nimport os"
    assert finding_text("ruff", "F401", "unused", None) == "ruff F401: unused"


def one_by_one(votes: list[Vote], config: RecommendConfig) -> list[Ranked]:
    """The ranking written vote by vote, as it was before ``choose`` took columns."""
    score: dict[str, float] = {}
    counted: dict[str, list[Vote]] = {}
    voting = [v.time for v in votes if v.outcome != "pending" and weight(v, config) > 0.0]
    newest = max(voting, default=None)
    for v in votes:
        w = weight(v, config, newest=newest)
        if v.outcome not in ("success", "failure") or w <= 0.0:
            continue
        sign = 1.0 if v.outcome == "success" else -config.failure_weight
        score[v.strategy] = score.get(v.strategy, 0.0) + sign * w
        counted.setdefault(v.strategy, []).append(v)
    positive = sum(s for s in score.values() if s > TIE)
    ranked = []
    for strategy, total in score.items():
        if total <= TIE:
            continue
        behind = counted[strategy]
        wins = [v for v in behind if v.outcome == "success"]
        kinds = Counter(v.kind for v in behind)
        newest_of = {v.kind: v.time for v in sorted(behind, key=lambda v: v.time)}
        shown = sorted(
            (v for v in wins if v.commit or v.diff), key=lambda v: (-(v.similarity or 0.0), -v.time)
        )
        ranked.append(
            Ranked(
                strategy=strategy,
                kind=max(kinds, key=lambda k: (kinds[k], newest_of[k])),
                raw=total / (positive + config.pseudo_votes),
                success_rate=len(wins) / len(behind),
                support=len(behind),
                examples=tuple(Example(v.commit, v.diff) for v in shown[: config.examples]),
                newest=max(v.time for v in behind),
            )
        )
    ranked.sort(key=lambda r: (-r.raw, -r.support, -r.newest, r.strategy))
    return ranked


def random_votes(rng: np.random.Generator) -> list[Vote]:
    votes = []
    for n in range(int(rng.integers(0, 40))):
        similarity = None if rng.uniform() < 0.3 else float(np.float32(rng.uniform(0.0, 1.0)))
        votes.append(
            Vote(
                strategy=str(rng.choice(["a", "b", "c", "d"])),
                kind=str(rng.choice(["delete", "imports", "suppress"])),
                outcome=str(rng.choice(["success", "success", "failure", "pending"])),
                similarity=similarity,
                same_rule=bool(rng.uniform() < 0.5),
                other_language=bool(rng.uniform() < 0.1),
                time=int(rng.integers(0, 5)),  # ties on purpose
                commit=f"c{n}" if rng.uniform() < 0.7 else None,
                diff=f"-d{n}" if rng.uniform() < 0.5 else None,
            )
        )
    return votes


@pytest.mark.parametrize("seed", range(4))
def test_columns_rank_exactly_as_adding_votes_one_by_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    configs = [CONFIG, replace(CONFIG, failure_weight=0.5, cross_language_weight=0.5)]
    for case in range(100):
        votes = random_votes(rng)
        config = configs[case % 2]
        assert rank(votes, config) == one_by_one(votes, config)


def test_many_findings_at_once_rank_as_each_alone() -> None:
    rng = np.random.default_rng(9)
    groups = [random_votes(rng) for _ in range(12)]
    names = ["a", "b", "c", "d"]
    kinds = ["delete", "imports", "suppress"]
    flat = [(i, v) for i, votes in enumerate(groups) for v in votes]
    ballot = Ballot(
        finding=np.array([i for i, _ in flat], np.int64),
        strategy=np.array([names.index(v.strategy) for _, v in flat], np.int64),
        kind=np.array([kinds.index(v.kind) for _, v in flat], np.int64),
        outcome=np.array([OUTCOME_CODES.get(v.outcome, PENDING) for _, v in flat], np.int8),
        similarity=np.array(
            [np.nan if v.similarity is None else v.similarity for _, v in flat], np.float64
        ),
        same_rule=np.array([v.same_rule for _, v in flat], np.bool_),
        other_language=np.array([v.other_language for _, v in flat], np.bool_),
        time=np.array([v.time for _, v in flat], np.int64),
        showable=np.array([bool(v.commit or v.diff) for _, v in flat], np.bool_),
    )
    chosen = choose(ballot, len(groups), np.arange(len(names)), CONFIG, limit=2)
    for votes, choices in zip(groups, chosen, strict=True):
        alone = rank(votes, CONFIG)[:2]
        assert [names[c.strategy] for c in choices] == [r.strategy for r in alone]
        assert [c.raw for c in choices] == [r.raw for r in alone]
        shown = [
            tuple(Example(flat[i][1].commit, flat[i][1].diff) for i in c.examples) for c in choices
        ]
        assert shown == [r.examples for r in alone]


def test_a_share_scales_each_entry_s_vote() -> None:
    # Strategy 0: three rule-prior votes of 0.5 in one commit; strategy 1: two alone.
    entries = 5
    ballot = Ballot(
        finding=np.zeros(entries, np.int64),
        strategy=np.array([0, 0, 0, 1, 1], np.int64),
        kind=np.zeros(entries, np.int64),
        outcome=np.full(entries, OUTCOME_CODES["success"], np.int8),
        similarity=np.full(entries, np.nan),
        same_rule=np.ones(entries, np.bool_),
        other_language=np.zeros(entries, np.bool_),
        time=np.arange(entries, dtype=np.int64),
        showable=np.zeros(entries, np.bool_),
    )
    alone = replace(ballot, share=np.array([3**-1.0] * 3 + [1.0, 1.0]))
    [plain] = choose(ballot, 1, np.arange(2), CONFIG)
    [shared] = choose(alone, 1, np.arange(2), CONFIG)
    assert [c.strategy for c in plain] == [0, 1]
    assert [c.strategy for c in shared] == [1, 0]
    assert shared[0].raw == pytest.approx(1.0 / (1.5 + CONFIG.pseudo_votes))
