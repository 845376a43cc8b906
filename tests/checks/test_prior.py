"""Reading the rule prior: cheap, and never an error (a check must not fail on it)."""

from __future__ import annotations

import json

from hookwise.checks.prior import RULE_PRIOR_FILE, prior_suggestions, read_rule_prior
from hookwise.git.repo import discover
from tests.gitrepo import GitRepo


def test_a_file_hookwise_did_not_write_reads_as_empty(repo: GitRepo) -> None:
    hookwise_dir = discover(repo.path).hookwise_dir
    hookwise_dir.mkdir(parents=True)
    for text in ("{", '{"version": 99, "rules": {}}', "[]"):
        (hookwise_dir / RULE_PRIOR_FILE).write_text(text)
        assert read_rule_prior(hookwise_dir) == {}


def test_suggestions_of_the_prior_take_the_workers_shape(repo: GitRepo) -> None:
    hookwise_dir = discover(repo.path).hookwise_dir
    hookwise_dir.mkdir(parents=True)
    entry = {"strategy": "s", "kind": "imports", "successes": 3, "support": 4, "success_rate": 0.75}
    data = {"version": 1, "fix_attempts_version": 3, "rules": {"ruff": {"F401": [entry] * 5}}}
    (hookwise_dir / RULE_PRIOR_FILE).write_text(json.dumps(data))
    found = prior_suggestions(read_rule_prior(hookwise_dir), "ruff", "F401")
    assert len(found) == 3  # as many as are shown
    assert found[0] == {
        "strategy": "s",
        "kind": "imports",
        "confidence": 0.75,
        "success_rate": 0.75,
        "support": 4,
        "examples": [],
    }
    assert prior_suggestions(read_rule_prior(hookwise_dir), "mypy", "F401") == []
