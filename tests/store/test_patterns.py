"""The ``patterns`` table: replaced whole by each pull, read best first."""

from __future__ import annotations

import pytest

from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.patterns import (
    count_patterns,
    patterns_version,
    read_patterns,
    replace_patterns,
)
from tests.gitrepo import GitRepo
from tests.store.pulled import pattern_row as row


@pytest.fixture
def store(repo: GitRepo) -> Store:
    repo.commit("first")
    return Store.open(discover(repo.path))


def test_a_new_store_has_the_table_empty(store: Store) -> None:
    assert (count_patterns(store), read_patterns(store)) == (0, [])
    assert patterns_version(store) is not None


def test_replace_stores_the_rows_and_reads_them_best_first(store: Store) -> None:
    with store.lock():
        removed = replace_patterns(
            store, [row("a", 0.5, 4.0), row("b", 0.9, 10.0), row("c", 1.0, 2.0, rule="E501")]
        )
    assert removed == 0
    assert [r["strategy"] for r in read_patterns(store)] == ["b", "a", "c"]  # 9, 2, 2 successes
    assert [r["strategy"] for r in read_patterns(store, "E501")] == ["c"]
    assert read_patterns(store, "it's") == []  # a quote in a rule is a value, not SQL
    assert read_patterns(store)[0] == row("b", 0.9, 10.0)


def test_replace_again_updates_adds_and_removes_in_one_version(store: Store) -> None:
    with store.lock():
        replace_patterns(store, [row("a", 0.5, 4.0), row("b", 0.9, 10.0)])
        before = patterns_version(store)
        removed = replace_patterns(store, [row("b", 0.7, 12.0), row("d", 1.0, 3.0)])
    assert removed == 1
    assert {r["strategy"]: r["support"] for r in read_patterns(store)} == {"b": 12.0, "d": 3.0}
    assert patterns_version(store) == (before or 0) + 1  # readers see old or new, never a mix


def test_replace_with_nothing_empties_the_table(store: Store) -> None:
    with store.lock():
        replace_patterns(store, [row("a", 0.5, 4.0)])
        assert replace_patterns(store, []) == 1
    assert count_patterns(store) == 0
