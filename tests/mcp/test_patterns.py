"""``cross_project_patterns``: the synced table when there is one, how to sync when not."""

from __future__ import annotations

import pytest

from hookwise.git.repo import discover
from hookwise.mcp.patterns import cross_project_patterns
from hookwise.mcp.server import build_server
from hookwise.store.db import Store
from hookwise.store.patterns import PatternRow, replace_patterns
from tests.gitrepo import GitRepo
from tests.mcp.session import session


def row(strategy: str, rule: str, success: float, support: float) -> PatternRow:
    return {
        "tool": "ruff",
        "rule": rule,
        "signature": "a finding without its code",
        "strategy": strategy,
        "kind": "delete",
        "success": success,
        "support": support,
        "repos": ["api", "web"],
        "pulled_at": 1_764_000_000,
    }


@pytest.fixture
def store(repo: GitRepo) -> Store:
    repo.commit("first")
    return Store.open(discover(repo.path))


def test_nothing_synced_says_how_to_sync(store: Store) -> None:
    answer = cross_project_patterns(store, None)
    assert (answer["synced"], answer["patterns"]) == (False, [])
    assert "hookwise sync --pull" in answer["message"]


def test_synced_patterns_come_back_best_first_and_by_rule(store: Store) -> None:
    with store.lock():
        rows = [row("noqa it", "F401", 0.5, 4.0), row("remove it", "F401", 0.9, 10.0)]
        replace_patterns(store, [*rows, row("wrap it", "E501", 1.0, 3.0)])
    answer = cross_project_patterns(store, "F401")
    assert (answer["synced"], answer["rule"], "message" in answer) == (True, "F401", False)
    assert [p["strategy"] for p in answer["patterns"]] == ["remove it", "noqa it"]
    assert answer["patterns"][0] == row("remove it", "F401", 0.9, 10.0)
    assert len(cross_project_patterns(store, None)["patterns"]) == 3
    # synced, but nothing for this rule: an empty list, not the how-to-sync answer
    assert cross_project_patterns(store, "W291") == {"synced": True, "rule": "W291", "patterns": []}


def test_the_tool_answers_with_the_synced_table(repo: GitRepo, store: Store) -> None:
    with store.lock():
        replace_patterns(store, [row("remove it", "F401", 0.9, 10.0)])
    with session(build_server(discover(repo.path))) as client:
        answer = client.answer("cross_project_patterns", rule="F401")
    assert answer["synced"] is True
    [found] = answer["patterns"]
    assert (found["strategy"], found["repos"], found["success"]) == (
        "remove it",
        ["api", "web"],
        0.9,
    )
