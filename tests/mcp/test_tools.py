"""The tools' answers in-process: the CLI's ``--json`` shapes, over a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hookwise.errors import StoreMissingError, UsageError
from hookwise.git.repo import discover
from hookwise.mcp import tools
from tests.gitrepo import GitRepo
from tests.mcp.history import DIFF, FINDING, History


def as_json(shape: object) -> object:
    """What the client reads: tuples become arrays."""
    return json.loads(json.dumps(shape))


def cli_json(history: History, *args: str) -> dict[str, object]:
    proc = history.hookwise(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    shape: dict[str, object] = json.loads(proc.stdout)
    return shape


def test_velocity_and_branch_activity_are_parts_of_metrics_json(history: History) -> None:
    paths = discover(history.repo.path)
    full = cli_json(history, "metrics", "--since", "30d")
    velocity = tools.git_velocity(paths, 30)
    assert as_json(velocity) == {key: full[key] for key in ("window", "velocity", "sessions")}
    assert velocity["velocity"]["commits"] == 5
    activity = tools.branch_activity(paths, 30)
    assert as_json(activity) == {key: full[key] for key in ("window", "branch_switches", "merges")}
    assert activity["merges"]["count"] == 1
    assert activity["branch_switches"]["count"] == 2  # to feature, and back to main


def test_health_is_health_json(history: History) -> None:
    answer = tools.repository_health(discover(history.repo.path))
    full = cli_json(history, "health")
    assert answer["score"] == full["score"]
    assert as_json(answer["components"]) == full["components"]
    assert [b["name"] for b in answer["branches"]] == ["feature"]  # besides main


def test_search_finds_commits_by_their_words(history: History) -> None:
    answer = tools.search_history(discover(history.repo.path), "parser", 3, None, "30d")
    subjects = [hit["subject"] for hit in answer["results"]]
    assert subjects[:2] == ["feat: add the parser", "docs: describe the parser"] or subjects[
        :2
    ] == ["docs: describe the parser", "feat: add the parser"]
    assert set(answer["results"][0]) == {"sha", "subject", "date", "author", "score"}
    none = tools.search_history(discover(history.repo.path), "parser", 3, "nobody@else", None)
    assert none["results"] == []


def test_a_period_that_is_not_one_is_a_usage_error(history: History) -> None:
    with pytest.raises(UsageError, match="the period 'soon' is not a number of days"):
        tools.search_history(discover(history.repo.path), "parser", 3, None, "soon")


def test_suggest_answers_in_the_order_asked(history: History) -> None:
    unrelated = {"tool": "mypy", "rule": "misc", "message": "x", "path": "a.py", "line": 2}
    answer = tools.suggest_fixes(discover(history.repo.path), [FINDING, unrelated], 5)
    first, second = answer["results"]
    assert first["finding"] == {**FINDING, "language": "python"}  # read from the path
    assert second == {"finding": {**unrelated, "language": "python"}, "suggestions": []}
    best = first["suggestions"][0]
    assert (best["strategy"], best["success_rate"]) == ("remove unused import", 1.0)
    assert best["examples"][0]["diff"] == DIFF
    assert tools.suggest_fixes(discover(history.repo.path), [], 5)["results"] == []


def test_a_bad_finding_is_named_by_its_position(history: History) -> None:
    paths = discover(history.repo.path)
    with pytest.raises(UsageError, match=r"^finding 2: a finding's 'line' must be a whole number"):
        tools.suggest_fixes(paths, [FINDING, {**FINDING, "line": "one"}], 5)
    with pytest.raises(UsageError, match="at most 200 at a time"):
        tools.read_findings([FINDING] * 201)


def test_a_recorded_outcome_counts_in_the_next_suggestion(history: History) -> None:
    paths = discover(history.repo.path)
    finding = {**FINDING, "message": "`re` imported but unused", "snippet": "import re"}
    recorded = tools.record_fix_outcome(
        paths, finding, "drop the import", "success", skill="tidy", diff="-import re\n", now=1e9
    )
    assert recorded["recorded"] is True and recorded["source"] == "agent"
    assert recorded["context"] == {"language": "python", "skill": "tidy"}
    assert recorded["kind"] == "imports"
    again = tools.record_fix_outcome(
        paths, finding, "drop the import", "success", skill="tidy", diff="-import re\n", now=1e9
    )
    assert (again["id"], again["recorded"]) == (recorded["id"], False)
    [answer] = tools.suggest_fixes(paths, [finding], 5)["results"]
    assert "drop the import" in [s["strategy"] for s in answer["suggestions"]]


def test_an_unknown_outcome_stores_nothing(history: History) -> None:
    paths = discover(history.repo.path)
    before = cli_json_list(history)
    with pytest.raises(UsageError, match="'outcome'"):
        tools.record_fix_outcome(paths, FINDING, "remove unused import", "maybe")
    assert cli_json_list(history) == before


def cli_json_list(history: History) -> list[object]:
    proc = history.hookwise("fix", "list", "--json")
    listed: list[object] = json.loads(proc.stdout)
    return listed


def test_recent_findings_are_the_last_check_runs(history: History) -> None:
    answer = tools.recent_findings(discover(history.repo.path), 10)
    assert answer["total"] == 1
    [finding] = answer["findings"]
    assert (finding["tool"], finding["rule"], finding["path"], finding["line"]) == (
        "ruff",
        "F401",
        "pkg/mod.py",
        1,
    )
    assert tools.recent_findings(discover(history.repo.path), 1)["findings"] == [finding]


def test_without_a_store_every_tool_says_run_init(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("first")
    paths = discover(repo.path)
    calls = [
        lambda: tools.git_velocity(paths, 30),
        lambda: tools.repository_health(paths),
        lambda: tools.search_history(paths, "x", 1, None, None),
        lambda: tools.suggest_fixes(paths, [FINDING], 5),
        lambda: tools.record_fix_outcome(paths, FINDING, "x", "success"),
        lambda: tools.recent_findings(paths, 5),
    ]
    for call in calls:
        with pytest.raises(StoreMissingError, match="run `hookwise init` first"):
            call()
    assert not paths.store_dir.exists()  # nothing half-made


def test_a_recorded_outcome_wakes_the_worker_which_embeds_it_and_answers_search(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.capture import rpc
    from hookwise.search.state import read_state
    from hookwise.store import fixes as table
    from hookwise.store.db import Store
    from tests.waiting import wait_for

    monkeypatch.delenv("HOOKWISE_NO_WORKER")
    paths = discover(history.repo.path)
    state = read_state(paths)
    assert state is not None  # the history was embedded (reindex)
    finding = {**FINDING, "message": "`json` imported but unused", "snippet": "import json"}
    assert tools.record_fix_outcome(paths, finding, "drop it", "failure", skill="w")["recorded"]

    def waiting() -> list[object]:
        store = Store.open(paths, readonly=True)
        return list(table.fix_attempts_without_vector(store, state.model_id, 10))

    wait_for(lambda: not waiting(), timeout=120)  # only the worker embeds them
    request = {"hookwise_dir": str(paths.hookwise_dir), "query": "parser", "limit": 1}
    assert rpc.call("search", request, timeout=60.0)["hits"]  # the worker answers searches
    answer = tools.search_history(paths, "parser", 1, None, None)
    assert answer["results"][0]["subject"].endswith("parser")

    # The figures come from the worker too (it has LanceDB loaded), equal to this process's.
    from hookwise.insights.answers import answer as compute

    store = Store.open(paths, readonly=True)
    for what, tool in (("velocity", tools.git_velocity), ("branches", tools.branch_activity)):
        ask = {"hookwise_dir": str(paths.hookwise_dir), "what": what, "since_days": 30}
        served = rpc.call("insights", ask, timeout=60.0)
        assert served == as_json(compute(store, what, since_days=30))
        assert as_json(tool(paths, 30)) == served
    ask = {"hookwise_dir": str(paths.hookwise_dir), "what": "health"}
    served = rpc.call("insights", {**ask, "worktree": str(paths.worktree)}, timeout=60.0)
    assert served["score"] == compute(store, "health")["score"]
    assert [b["name"] for b in served["branches"]] == ["feature"]
    assert tools.repository_health(paths)["score"] == served["score"]


def test_a_store_without_commits_says_to_backfill(repo: GitRepo) -> None:
    from hookwise.store.db import Store

    repo.commit("first")
    paths = discover(repo.path)
    Store.open(paths)  # as `hookwise init --no-backfill` leaves it
    answer = tools.git_velocity(paths, 7)
    assert answer["velocity"]["commits"] == 0
    [notice] = answer["notices"]
    assert "run `hookwise backfill`" in notice
