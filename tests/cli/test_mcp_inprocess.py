"""``hookwise mcp`` in this process (click's runner), where coverage sees the command and
``serve``: JSON-RPC lines on stdin, the answers on stdout, the end of input ends it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookwise.cli.app import main
from tests.gitrepo import GitRepo

HANDSHAKE = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
]


def _serve(repo: Path, *calls: dict[str, object]) -> tuple[int, dict[int, dict[str, object]]]:
    stdin = "".join(json.dumps(m) + "\n" for m in [*HANDSHAKE, *calls])
    result = CliRunner().invoke(main, ["mcp", "--repo", str(repo)], input=stdin)
    answers = [json.loads(text) for text in result.stdout.splitlines()]
    return result.exit_code, {a["id"]: a for a in answers if "id" in a}


def test_answers_the_handshake_and_ends_with_its_input(repo: GitRepo) -> None:
    # The SDK drops requests still running when the input ends (a client keeps
    # it open): tool calls are in tests/cli/test_mcp.py and tests/mcp.
    repo.commit("feat: start")
    code, answers = _serve(repo.path, {"jsonrpc": "2.0", "id": 2, "method": "ping"})
    assert code == 0
    info = answers[1]["result"]
    assert info["serverInfo"]["name"] == "hookwise"
    assert "suggest_fixes" in info["instructions"]


def test_outside_a_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["mcp", "--repo", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not inside a git repository" in result.stderr


def test_without_the_extra(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("feat: start")
    for name in [n for n in sys.modules if n == "mcp" or n.startswith("mcp.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if never installed
    monkeypatch.delitem(sys.modules, "hookwise.mcp.server", raising=False)
    result = CliRunner().invoke(main, ["mcp", "--repo", str(repo.path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "hookwise: the MCP server needs the 'mcp' extra; install it with: "
        "pip install 'hookwise[mcp]'\n"
    )
