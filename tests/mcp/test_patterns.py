"""``cross_project_patterns``: the synced table when there is one, how to sync when not."""

from __future__ import annotations

import pytest

from hookwise.git.repo import discover
from hookwise.mcp.patterns import cross_project_patterns
from hookwise.mcp.server import build_server
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.mcp.session import session
from tests.store.pulled import pattern_row, store_patterns


@pytest.fixture
def store(repo: GitRepo) -> Store:
    repo.commit("first")
    return Store.open(discover(repo.path))


def test_nothing_synced_says_how_to_sync(store: Store) -> None:
    answer = cross_project_patterns(store, None)
    assert (answer["synced"], answer["patterns"]) == (False, [])
    assert "hookwise sync --pull" in answer["message"]


def test_synced_patterns_come_back_best_first_and_by_rule(store: Store) -> None:
    store_patterns(
        store,
        pattern_row("noqa it", 0.5, 4.0),
        pattern_row("remove it", 0.9, 10.0),
        pattern_row("wrap it", 1.0, 3.0, rule="E501"),
    )
    answer = cross_project_patterns(store, "F401")
    assert (answer["synced"], answer["rule"], "message" in answer) == (True, "F401", False)
    assert [p["strategy"] for p in answer["patterns"]] == ["remove it", "noqa it"]
    assert answer["patterns"][0] == pattern_row("remove it", 0.9, 10.0)
    assert len(cross_project_patterns(store, None)["patterns"]) == 3
    # synced, but nothing for this rule: an empty list, not the how-to-sync answer
    assert cross_project_patterns(store, "W291") == {"synced": True, "rule": "W291", "patterns": []}


def test_the_tool_answers_with_the_synced_table(repo: GitRepo, store: Store) -> None:
    store_patterns(store, pattern_row("remove it", 0.9, 10.0))
    with session(build_server(discover(repo.path))) as client:
        answer = client.answer("cross_project_patterns", rule="F401")
    assert answer["synced"] is True
    [found] = answer["patterns"]
    assert (found["strategy"], found["repos"], found["success"]) == (
        "remove it",
        ["api", "web"],
        0.9,
    )
