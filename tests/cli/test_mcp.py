"""``hookwise mcp`` as an MCP client starts it: a real server process over stdio.

One server for the module (``python -m hookwise mcp --repo REPO``), talked
to by the SDK's own client; the tools' figures are checked in-process in
``tests/mcp``, so here each tool is called once for real content, and an
outcome recorded through the server changes its next suggestion.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from mcp.client.stdio import StdioServerParameters

from tests.cli.console import hookwise, one_line
from tests.gitrepo import GitRepo
from tests.mcp.history import FINDING, History, build
from tests.mcp.session import Session, session


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build(tmp_path_factory.mktemp("mcp"))


@pytest.fixture(scope="module")
def server(history: History) -> Iterator[Session]:
    command = ["-m", "hookwise", "mcp", "--repo", str(history.repo.path)]
    with session(StdioServerParameters(command=sys.executable, args=command, env=history.env)) as s:
        yield s


def test_lists_the_eight_tools(server: Session) -> None:
    listed = server.portal.call(server.client.list_tools).tools
    assert len(listed) == 8
    assert all(tool.input_schema["type"] == "object" for tool in listed)


def test_each_tool_answers_with_the_repositorys_figures(server: Session) -> None:
    assert server.answer("git_velocity", since_days=30)["velocity"]["commits"] == 5
    assert server.answer("branch_activity", since_days=30)["merges"]["count"] == 1
    health = server.answer("repository_health")
    assert 0 <= health["score"] <= 100 and health["default_branch"] == "main"
    [hit, *_] = server.answer("search_history", query="verbose flag", limit=3)["results"]
    assert hit["subject"] == "feat(cli): add a verbose flag"
    [recent] = server.answer("recent_findings", limit=5)["findings"]
    assert (recent["rule"], recent["path"], recent["fixable"]) == ("F401", "pkg/mod.py", True)
    # passed back as it came: what fixed it before
    [answer] = server.answer("suggest_fixes", findings=[recent])["results"]
    assert answer["finding"] == recent
    assert answer["suggestions"][0]["strategy"] == "remove unused import"
    assert server.answer("cross_project_patterns")["synced"] is False


def support(server: Session, strategy: str) -> int:
    [answer] = server.answer("suggest_fixes", findings=[FINDING])["results"]
    found = [s["support"] for s in answer["suggestions"] if s["strategy"] == strategy]
    return found[0] if found else 0


def test_a_recorded_outcome_changes_the_next_suggestion(server: Session) -> None:
    assert support(server, "remove unused import") == 1
    assert support(server, "delete the line") == 0
    for strategy, diff in [("remove unused import", "-import os\n"), ("delete the line", None)]:
        recorded = server.answer(
            "record_fix_outcome",
            finding=FINDING,
            strategy=strategy,
            outcome="success",
            skill="lint-fixer",
            diff=diff,
        )
        assert recorded["recorded"] is True
        context = {"language": "python", "skill": "lint-fixer"}  # fix memory adds the language
        assert (recorded["source"], recorded["context"]) == ("agent", context)
    assert support(server, "remove unused import") == 2
    assert support(server, "delete the line") == 1


def test_bad_arguments_are_errors_and_the_server_keeps_serving(server: Session) -> None:
    assert "outcome" in server.error(
        "record_fix_outcome", finding=FINDING, strategy="noqa", outcome="maybe"
    )
    assert "limit" in server.error("recent_findings", limit="all")
    assert "findings" in server.error("suggest_fixes")
    assert server.answer("recent_findings", limit=1)["total"] == 1


def test_outside_a_repository_it_says_so(tmp_path: pytest.TempPathFactory) -> None:
    proc = hookwise("mcp", "--repo", str(tmp_path))
    assert proc.returncode == 1
    assert one_line(proc).endswith(
        "is not inside a git repository; run hookwise from a "
        "repository or name one as the repository to use"
    )


def test_without_the_extra_it_says_how_to_install_it(repo: GitRepo) -> None:
    repo.commit("first")
    script = (
        "import sys; sys.modules['mcp'] = None; "
        "from hookwise.cli import run; sys.argv[1:] = ['mcp']; run()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=repo.path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert one_line(proc) == (
        "hookwise: the MCP server needs the 'mcp' extra; install it with: "
        "pip install 'hookwise[mcp]'"
    )
