"""What the worker answers an agent's ``insights`` question: the CLI's figures, or one error."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hookwise.git.repo import discover
from hookwise.insights.answers import answer, serve_insights
from hookwise.insights.metrics import metrics
from hookwise.insights.windows import Filters, parse_since
from hookwise.store.db import Store
from tests.gitrepo import BASE_TIME, GitRepo


def test_metrics_parts_are_the_metrics_figures(repo: GitRepo) -> None:
    repo.commit("feat: one")
    repo.commit("fix: two")
    store = Store.open(discover(repo.path))
    assert answer(store, "velocity")["notices"]  # nothing backfilled yet: it says so
    from hookwise.history.backfill import backfill

    backfill(store.paths)
    today = date.fromtimestamp(BASE_TIME)  # the commits' own days
    full = metrics(store, Filters(window=parse_since("30d", today)), today=today).to_json()
    velocity = answer(store, "velocity", since_days=30, today=today)
    assert velocity == {key: full[key] for key in ("window", "velocity", "sessions")}
    assert velocity["velocity"]["commits"] == 2
    branches = answer(store, "branches", since_days=30, today=today)
    assert set(branches) == {"window", "branch_switches", "merges"}


def test_the_operation_answers_errors_by_kind(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: one")
    paths = discover(repo.path)
    missing = serve_insights({"hookwise_dir": str(paths.hookwise_dir), "what": "velocity"})
    assert missing["kind"] == "StoreMissingError"
    Store.open(paths)
    args = {"hookwise_dir": str(paths.hookwise_dir)}
    unknown = serve_insights({**args, "what": "weather"})
    assert unknown == {
        "error": "unknown figures 'weather'; one of: velocity, branches, health",
        "kind": "UsageError",
    }
    assert serve_insights({**args, "what": "velocity", "today": "soon"})["kind"] == "UsageError"
    health = serve_insights({**args, "what": "health", "worktree": str(repo.path)})
    assert json.loads(json.dumps(health))["score"] == health["score"]
    assert "components" in health
