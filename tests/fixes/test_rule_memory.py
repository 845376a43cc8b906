"""The rule prior split between the rule's newest attempts and its whole memory."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hookwise.fixes.index import build_index
from hookwise.fixes.recommend import RecommendConfig
from hookwise.fixes.rule_memory import memory_shares, prior_factors, rule_rows_wanted
from tests.fixes.test_index import at, unit_rows

CONFIG = RecommendConfig()


def test_the_memory_votes_as_much_as_the_window_each_commit_counting_its_root() -> None:
    # A commit of 4 attempts at the rule, then 2 alone (newest first: the 2, then the 4).
    shares = memory_shares(np.array([1, 1, 4, 4, 4, 4]), CONFIG)
    # 1 + 1 + 4 x 4 ** -0.5 = 4 votes, scaled to the window's 6 attempts.
    assert shares.tolist() == pytest.approx([1.5, 1.5, 0.75, 0.75, 0.75, 0.75])
    # Beyond the memory an attempt has no share; the window is never bigger than 100.
    short = dataclasses.replace(CONFIG, memory_limit=2, prior_recent=1)
    assert memory_shares(np.array([1, 1, 4]), short).tolist() == [0.5, 0.5, 0.0]
    assert rule_rows_wanted(CONFIG) == 500
    assert rule_rows_wanted(dataclasses.replace(CONFIG, memory_share=0.0)) == 100


def test_a_neighbour_keeps_its_window_part_and_gains_its_memory_share() -> None:
    # One finding: a neighbour (entry 0), then its rule's two rows, the first of them the
    # neighbour again (entry 1 folds into entry 0), the second beyond a window of one.
    config = dataclasses.replace(CONFIG, prior_recent=1, memory_share=0.5)
    recent = [np.array([7, 8])]
    shares = [np.array([0.25, 0.75])]
    factors = prior_factors([1], recent, shares, np.array([0, 0, 1]), 2, config)
    assert factors.tolist() == pytest.approx([0.5 * 1 + 0.5 * 0.25, 0.5 * 0.75])


def test_the_rule_s_whole_memory_votes_beside_its_newest_attempts() -> None:
    # 40 commits removed an F401 import one at a time; then one commit rewrote 150
    # files in bulk, and three more fixed it by hand, three ways: the rule's 100
    # newest attempts are 97 of the bulk commit's and the three by hand.
    attempts = [at(1_000 + n, n, "F401", "remove import") for n in range(40)]
    attempts += [at(5_000, 100 + n, "F401", "bulk rewrite") for n in range(150)]
    attempts += [at(6_000 + n, 300 + n, "F401", f"by hand {n}") for n in range(3)]
    matrix = unit_rows(len(attempts), 8, seed=3)
    present = np.ones(len(attempts), np.bool_)

    def top3(config: RecommendConfig) -> list[tuple[str, int]]:
        index = build_index(attempts, matrix, present, "e", config)
        rule = index.columns.rule_code("ruff", "F401")
        ballot, _ = index.votes(None, [rule], [1], config)
        [choices] = index.choose(ballot, ["ruff"], config, limit=3)
        return [(index.columns.strategies.names[c.strategy], c.support) for c in choices]

    recent_only = dataclasses.replace(CONFIG, memory_share=0.0)
    assert [name for name, _ in top3(recent_only)] == ["bulk rewrite", "by hand 2", "by hand 1"]
    # The memory: 40 single commits against the bulk one's 150 ** 0.5 = 12.2, scaled to
    # the window's 100 votes, then a quarter of the prior: 0.25 x 72.4 for "remove
    # import" against 0.75 x 97 + 0.25 x 22.2 for the bulk rewrite.
    assert top3(CONFIG) == [("bulk rewrite", 150), ("remove import", 40), ("by hand 2", 1)]
    # Counting every attempt of the bulk commit in the memory, it outvotes "remove import"
    # there too, which still comes second: the window never names it.
    flat = dataclasses.replace(CONFIG, memory_batch_power=0.0)
    assert [name for name, _ in top3(flat)][:2] == ["bulk rewrite", "remove import"]
    # A memory of the rule's 100 newest attempts is the window again.
    short = dataclasses.replace(CONFIG, memory_limit=100)
    assert [name for name, _ in top3(short)] == ["bulk rewrite", "by hand 2", "by hand 1"]


def test_the_memory_counts_only_attempts_made_before_the_question() -> None:
    attempts = [at(1_000 + n, n, "F401", "remove import") for n in range(40)]
    attempts += [at(5_000, 100 + n, "F401", "bulk rewrite") for n in range(150)]
    matrix = unit_rows(len(attempts), 8, seed=4)
    index = build_index(attempts, matrix, np.ones(len(attempts), np.bool_), "e", CONFIG)
    rule = index.columns.rule_code("ruff", "F401")
    ballot, rows = index.votes(None, [rule], [1], CONFIG, before=np.array([5_000]))
    assert len(rows) == 40 and ballot.prior is not None
    # 40 attempts, all in the window and all the memory: each votes the full prior.
    assert ballot.prior.tolist() == pytest.approx([1.0] * 40)
