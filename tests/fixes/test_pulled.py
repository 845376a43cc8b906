"""Patterns pulled from other projects in suggestions: after local memory, labelled, never twice."""

from __future__ import annotations

from typing import Any

import pytest

from hookwise.checks.findings import Finding
from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.pulled import SOURCE, load_pulled
from hookwise.fixes.record import record
from hookwise.fixes.service import SuggestService
from hookwise.fixes.suggest import SuggestResult, suggest_in_process
from hookwise.search.state import VectorState, write_state
from hookwise.store.db import Store
from tests.fixes.lines import line, lines
from tests.store.pulled import pattern_row as pattern
from tests.store.pulled import store_patterns as pulled

UNUSED = Finding(
    "ruff", "F401", "`sys` imported but unused", "tools/run.py", 3, snippet="import sys"
)


def suggested(store: Store, finding: Finding = UNUSED, limit: int = 5) -> list[tuple[Any, ...]]:
    [answer] = suggest_in_process(store, [finding], embedder=HashingEmbedder(), limit=limit).results
    return [(s.strategy, s.source, s.repos) for s in answer.suggestions]


@pytest.fixture
def memory(store: Store) -> Store:
    write_state(store.paths, VectorState("hashing", HashingEmbedder().id))
    return store


def test_without_local_memory_the_pulled_strategy_is_suggested_and_labelled(
    memory: Store,
) -> None:
    pulled(memory, pattern("remove the import", 0.82, 37.0, repos=["a", "b", "c", "d"]))
    [answer] = suggest_in_process(memory, [UNUSED], embedder=HashingEmbedder()).results
    [only] = answer.suggestions
    assert (only.strategy, only.kind, only.success_rate, only.support) == (
        "remove the import",
        "delete",
        0.82,
        37,
    )
    assert (only.source, only.repos, only.confidence, only.examples) == (SOURCE, 4, None, ())
    shape = answer.to_json()["suggestions"][0]
    assert (shape["source"], shape["repos"]) == ("other projects", 4)


def test_local_strategies_come_first_and_a_local_one_is_not_repeated(memory: Store) -> None:
    assert record(memory, lines(line(time="2024-04-01T12:00:00Z"))).bad == ()
    pulled(
        memory,
        pattern("Remove Unused Import", 1.0, 500.0),  # the local strategy, however it is written
        pattern("add to __all__", 0.9, 10.0),
    )
    assert suggested(memory) == [
        ("remove unused import", None, None),  # support 1 here outranks 500 elsewhere
        ("add to __all__", SOURCE, 2),
    ]


def test_pulled_ones_only_fill_the_room_left_and_the_checkers_fix_stays_last(
    memory: Store,
) -> None:
    assert record(memory, lines(line(time="2024-04-01T12:00:00Z"))).bad == ()
    pulled(memory, pattern("add to __all__", 0.9, 10.0), pattern("noqa it", 0.8, 10.0))
    fixable = Finding(**{**UNUSED.to_json(), "fixable": True})
    assert [s[0] for s in suggested(memory, fixable, limit=3)] == [
        "remove unused import",
        "add to __all__",
        "ruff check --fix",
    ]
    assert [s[0] for s in suggested(memory, fixable, limit=2)] == [
        "remove unused import",
        "ruff check --fix",
    ]


def test_what_seldom_worked_or_was_tried_once_is_not_suggested(memory: Store) -> None:
    pulled(
        memory,
        pattern("delete the file", 0.4, 50.0),  # fails more than the bar allows
        pattern("lucky", 1.0, 1.0),  # one fix is no evidence
        pattern("other rule", 1.0, 9.0, rule="E501"),
    )
    assert suggested(memory) == []


def test_signatures_of_one_rule_pool_into_one_suggestion(memory: Store) -> None:
    pulled(
        memory,
        pattern("remove the import", 1.0, 6.0, repos=["api"]),
        pattern("remove the import", 0.5, 2.0, signature="`<name>` imported", repos=["web"]),
    )
    [(strategy, success, support, repos)] = [
        (p.strategy, p.success, p.support, p.repos)
        for p in load_pulled(memory).by_rule[("ruff", "F401")]
    ]
    assert (strategy, support, repos) == ("remove the import", 8.0, 2)
    assert success == pytest.approx(7 / 8)


def test_the_label_survives_the_workers_answer(memory: Store) -> None:
    pulled(memory, pattern("remove the import", 0.9, 10.0))
    answer = suggest_in_process(memory, [UNUSED], embedder=HashingEmbedder())
    assert SuggestResult.from_json(answer.to_json()) == answer


def test_the_worker_reads_the_patterns_again_after_a_pull(memory: Store) -> None:
    service = SuggestService()
    assert record(memory, lines(line(time="2024-04-01T12:00:00Z"))).bad == ()

    def strategies(**kwargs: Any) -> list[str]:
        [answer] = service.suggest(memory, [UNUSED], 5, **kwargs).results
        return [s.strategy for s in answer.suggestions]

    assert strategies() == ["remove unused import"]
    pulled(memory, pattern("add to __all__", 0.9, 10.0))
    # under a deadline, what was read stays (no version read); the idle round reads it again
    assert strategies(deadline=1.0) == ["remove unused import"]
    while service.when_idle(memory):  # vectors first, then stale reads
        pass
    assert strategies(deadline=1.0) == ["remove unused import", "add to __all__"]
    pulled(memory, pattern("noqa it", 0.9, 10.0))
    assert strategies() == ["remove unused import", "noqa it"]  # without a deadline: at once
