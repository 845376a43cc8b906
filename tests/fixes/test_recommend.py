"""The ranking itself: votes weighted by similarity, rule and outcome."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hookwise.fixes.recommend import RecommendConfig, Vote, finding_text, rank, weight

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
