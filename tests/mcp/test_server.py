"""The server in-process, through the SDK's own client: schemas, errors, resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from hookwise.mcp.server import build_server
from tests.gitrepo import GitRepo
from tests.mcp.history import FINDING, History
from tests.mcp.session import Session, session

TOOLS = {
    "git_velocity",
    "branch_activity",
    "repository_health",
    "search_history",
    "suggest_fixes",
    "record_fix_outcome",
    "recent_findings",
    "cross_project_patterns",
}


@pytest.fixture(scope="module")
def client(history: History) -> Iterator[Session]:
    with session(build_server(discover(history.repo.path))) as started:
        yield started


def test_every_tool_has_a_schema_and_a_description(client: Session) -> None:
    listed = client.portal.call(client.client.list_tools).tools
    assert {tool.name for tool in listed} == TOOLS
    for tool in listed:
        assert tool.input_schema["type"] == "object"
        assert len(tool.description or "") > 80, tool.name
    record = next(tool for tool in listed if tool.name == "record_fix_outcome")
    assert set(record.input_schema["required"]) == {"finding", "strategy", "outcome"}
    assert record.input_schema["properties"]["outcome"]["enum"] == ["success", "failure"]


def test_wrong_arguments_are_tool_errors_and_the_server_keeps_serving(client: Session) -> None:
    assert "since_days" in client.error("git_velocity", since_days="many")
    assert "since_days" in client.error("git_velocity", since_days=0)
    assert "strategy" in client.error("record_fix_outcome", finding=FINDING, outcome="success")
    message = client.error("record_fix_outcome", finding=FINDING, strategy="noqa", outcome="maybe")
    assert "outcome" in message
    assert "line" in client.error("suggest_fixes", findings=[{**FINDING, "line": 0}])
    assert "rule" in client.error("suggest_fixes", findings=[{"tool": "ruff"}])
    assert "nonsense" in client.error("nonsense")
    # hookwise's own check, after the schema's: a period that is no period
    assert "the period 'soon'" in client.error("search_history", query="parser", since="soon")
    assert client.answer("git_velocity", since_days=30)["velocity"]["commits"] == 5


def test_patterns_say_how_to_sync(client: Session) -> None:
    answer = client.answer("cross_project_patterns", rule="F401")
    assert (answer["synced"], answer["rule"], answer["patterns"]) == (False, "F401", [])
    assert "hookwise sync --pull" in answer["message"]


def test_resources_are_markdown_documents(client: Session) -> None:
    listed = client.portal.call(client.client.list_resources).resources
    assert {str(r.uri) for r in listed} == {"hookwise://metrics", "hookwise://health"}
    metrics = client.read("hookwise://metrics")
    assert metrics.mime_type == "text/markdown"
    assert metrics.text.startswith("# Metrics: last 30 days")
    assert "- 5 commits over 30 days" in metrics.text
    assert "- 1 merge, 0 with conflicts" in metrics.text
    health = client.read("hookwise://health")
    assert health.text.startswith("# Repository health: ")
    assert "- Activity: " in health.text


def test_without_a_store_tools_and_resources_say_run_init(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("first")
    with session(build_server(discover(repo.path))) as bare:
        assert "run `hookwise init` first" in bare.error("repository_health")
        assert "run `hookwise init` first" in bare.error("cross_project_patterns")
        with pytest.raises(Exception, match="run `hookwise init` first"):
            bare.read("hookwise://health")
        with pytest.raises(Exception, match="run `hookwise init` first"):
            bare.read("hookwise://metrics")


def test_a_failure_recorded_through_the_server_outvotes_the_strategy(client: Session) -> None:
    [recent] = client.answer("recent_findings")["findings"]

    def suggested() -> list[tuple[str, int]]:
        [answer] = client.answer("suggest_fixes", findings=[recent])["results"]
        assert answer["finding"] == recent
        return [(s["strategy"], s["support"]) for s in answer["suggestions"]]

    # the finding is fixable, so ruff's own fix comes last, learned from nothing
    assert suggested() == [("remove unused import", 1), ("ruff check --fix", 0)]
    recorded = client.answer(
        "record_fix_outcome",
        finding=recent,
        strategy="remove unused import",
        outcome="failure",
        diff="-import os\n",
    )
    # No skill named; fix memory adds the language from the path (docs/learning.md).
    assert (recorded["outcome"], recorded["context"]) == ("failure", {"language": "python"})
    # one success and one as close a failure: no net vote for it (fixes/recommend.py)
    assert suggested() == [("ruff check --fix", 0)]
    assert client.answer("branch_activity", since_days=7)["window"]["days"] == 7
