"""The store's most common strategies filling the places a finding's evidence leaves."""

from __future__ import annotations

import dataclasses

import numpy as np

from hookwise.fixes.attempt_columns import from_attempts
from hookwise.fixes.common import common_choices, fill
from hookwise.fixes.index import build_index
from hookwise.fixes.recommend import Choice, RecommendConfig
from tests.fixes.test_index import at

CONFIG = RecommendConfig()


def names(columns: object, choices: list[Choice]) -> list[str]:
    return [columns.strategies.names[c.strategy] for c in choices]  # type: ignore[attr-defined]


def history() -> list:  # type: ignore[type-arg]
    # "remove import" fixed 3 findings, "wrap" 2 then failed once, "noqa" 2, "rename" 1.
    made = [
        at(1_000, 0, "F401", "remove import"),
        at(1_001, 1, "E501", "noqa"),
        at(1_002, 2, "E501", "wrap"),
        at(1_003, 3, "F401", "remove import"),
        at(1_004, 4, "E501", "wrap"),
        at(1_005, 5, "E501", "noqa"),
        at(1_006, 6, "F841", "rename"),
        at(1_007, 7, "F401", "remove import"),
    ]
    failed = at(1_008, 8, "E501", "wrap")
    made.append(dataclasses.replace(failed, outcome="failure"))
    return made


def test_the_most_votes_first_then_the_one_met_first() -> None:
    columns = from_attempts(history())
    [choices] = common_choices(columns, ["ruff"], None, CONFIG)
    # wrap: 2 - 1 = 1 vote, below noqa's 2, tied with rename but met before it.
    assert names(columns, choices) == ["remove import", "noqa", "wrap"]
    first = choices[0]
    assert (first.support, first.success_rate, first.examples) == (3, 1.0, ())
    # Its share of the positive votes (3 + 2 + 1 + 1), one kept for something else.
    assert first.raw == 3 / 8


def test_as_of_a_time_only_earlier_attempts_count() -> None:
    columns = from_attempts(history())
    early, late = common_choices(columns, ["ruff", "ruff"], np.array([1_005, 10_000]), CONFIG)
    assert names(columns, early) == ["remove import", "wrap", "noqa"]  # 2, 2 (met later), 1
    assert names(columns, late)[0] == "remove import"
    assert common_choices(columns, ["ruff"], np.array([1_000]), CONFIG) == [[]]  # nothing before


def test_a_finding_at_an_unseen_rule_gets_the_common_strategies() -> None:
    attempts = history()
    matrix = np.eye(len(attempts), 10, dtype=np.float32)
    index = build_index(attempts, matrix, np.ones(len(attempts), np.bool_), "e", CONFIG)
    columns = index.columns
    unseen = np.zeros((1, 10), np.float32)
    unseen[0, 9] = 1.0  # like no attempt: no neighbour above the floor
    ballot, _ = index.votes(unseen, [columns.rule_code("ruff", "B006")], [0], CONFIG)
    [choices] = index.choose(ballot, ["ruff"], CONFIG, limit=3)
    assert names(columns, choices) == ["remove import", "noqa", "wrap"]
    off = dataclasses.replace(CONFIG, common_fill=0)
    assert index.choose(ballot, ["ruff"], off, limit=3) == [[]]
    # The fill never takes more places than the limit, nor names a strategy twice.
    ballot, _ = index.votes(None, [columns.rule_code("ruff", "E501")], [0], CONFIG)
    [choices] = index.choose(ballot, ["ruff"], CONFIG, limit=3)
    assert names(columns, choices) == ["noqa", "wrap", "remove import"]
    [choices] = index.choose(ballot, ["ruff"], CONFIG, limit=1)
    assert names(columns, choices) == ["noqa"]


def test_only_what_fixed_the_same_tool_fills() -> None:
    columns = from_attempts(history())
    ruff, mypy = common_choices(columns, ["ruff", "mypy"], None, CONFIG)
    assert names(columns, ruff)[0] == "remove import"
    assert mypy == []  # ruff's fixes say nothing about a mypy error


def test_fill_keeps_the_finding_s_own_choices_first() -> None:
    own = Choice(5, 0, 0.4, 1.0, 2, (1,), 9)
    common = [Choice(s, 0, 0.1, 1.0, 9, (), 9) for s in (7, 5, 6)]
    assert fill([[own]], [common], 3) == [[own, common[0], common[2]]]
    assert fill([[own]], [common], 1) == [[own]]
    # A strategy the finding's own attempts voted down is not brought back.
    assert fill([[own]], [common], 3, [{7}]) == [[own, common[2]]]
