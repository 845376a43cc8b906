"""The rule prior follows fix memory: rewritten when fix_attempts changes, and only then."""

from __future__ import annotations

import json

from hookwise.checks.prior import prior_suggestions, read_rule_prior
from hookwise.fixes.memory import confirm, list_attempts
from hookwise.fixes.record import record
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.worker.prior import write_rule_prior
from tests.fixes.lines import line, lines
from tests.gitrepo import GitRepo


def test_the_prior_counts_settled_attempts_per_rule_and_strategy(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    record(
        store,
        lines(
            line(time="2024-01-01T00:00:00Z"),
            line(time="2024-01-02T00:00:00Z"),
            line(time="2024-01-03T00:00:00Z", outcome="failure"),
            line(strategy="# noqa: F401", time="2024-01-04T00:00:00Z"),
            line(strategy="never worked", outcome="failure", time="2024-01-05T00:00:00Z"),
            line(finding={**json.loads(line())["finding"], "rule": "E501"}, strategy="wrap"),
        ),
    )
    assert write_rule_prior(store)
    prior = read_rule_prior(store.paths.hookwise_dir)
    assert prior["ruff"]["F401"] == [
        {
            "strategy": "remove unused import",
            "kind": "unknown",
            "successes": 2,
            "support": 3,
            "success_rate": 0.667,
        },
        {
            "strategy": "# noqa: F401",
            "kind": "unknown",
            "successes": 1,
            "support": 1,
            "success_rate": 1.0,
        },
    ]
    assert [s["strategy"] for s in prior["ruff"]["E501"]] == ["wrap"]
    [best, _] = prior_suggestions(prior, "ruff", "F401")
    assert (best["strategy"], best["success_rate"], best["support"]) == (
        "remove unused import",
        0.667,
        3,
    )
    assert prior_suggestions(prior, "ruff", "W291") == []


def test_it_is_rewritten_only_when_fix_memory_changed(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    record(store, lines(line(outcome="failure")))
    assert write_rule_prior(store)
    assert read_rule_prior(store.paths.hookwise_dir) == {}  # nothing ever worked
    assert not write_rule_prior(store)
    [attempt] = list_attempts(store)
    confirm(store, attempt.attempt.id, "success")
    assert write_rule_prior(store)
    [entry] = read_rule_prior(store.paths.hookwise_dir)["ruff"]["F401"]
    assert (entry["successes"], entry["support"]) == (1, 1)


def test_patterns_pulled_from_other_projects_follow_the_rules_own(repo: GitRepo) -> None:
    from tests.store.pulled import pattern_row, store_patterns

    repo.commit("first")
    store = Store.open(discover(repo.path))
    record(store, lines(line(time="2024-01-01T00:00:00Z")))
    assert write_rule_prior(store)
    four = {"success": 0.82, "support": 37.0, "repos": ["api", "cli", "docs", "web"]}
    store_patterns(
        store,
        pattern_row("Remove unused import", **four),
        pattern_row("add to __all__", **four),
        pattern_row("wrap", rule="E501", **four),
    )
    assert write_rule_prior(store)  # the patterns changed: written again
    assert not write_rule_prior(store)
    prior = read_rule_prior(store.paths.hookwise_dir)
    own, pulled = prior_suggestions(prior, "ruff", "F401")  # the local one is not repeated
    assert own["strategy"] == "remove unused import" and "source" not in own
    assert pulled == {
        "strategy": "add to __all__",
        "kind": "delete",
        "confidence": None,
        "success_rate": 0.82,
        "support": 37,
        "examples": [],
        "source": "other projects",
        "repos": 4,
    }
    [alone] = prior_suggestions(prior, "ruff", "E501")  # no local memory of the rule at all
    assert alone["strategy"] == "wrap"
