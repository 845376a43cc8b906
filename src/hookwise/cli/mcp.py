"""``hookwise mcp``: serve the repository's memory to coding agents over MCP (docs/mcp.md).

The SDK comes with the ``mcp`` extra; without it the command says how to
install it and exits 1. ``hookwise.mcp`` is a face beside this CLI, so
this module is the one place the CLI reaches it, and only when the
command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from hookwise.cli.options import repo_option
from hookwise.errors import ExtraMissingError
from hookwise.git.repo import discover

#: The distributions whose absence means the extra is missing (the SDK and its models).
EXTRA_MODULES = ("mcp", "pydantic", "mcp_types")


@click.command("mcp")
@repo_option
def mcp(repo_path: Path) -> None:
    """Serve this repository's memory to coding agents (MCP, over stdio).

    An MCP client (Claude Desktop, Claude Code, VS Code, ...) starts it as
    `hookwise mcp --repo PATH` and talks JSON-RPC on its stdin and stdout.
    Tools: git_velocity, branch_activity, repository_health,
    search_history, suggest_fixes, record_fix_outcome, recent_findings,
    cross_project_patterns; resources hookwise://metrics and
    hookwise://health. Needs the mcp extra: pip install 'hookwise[mcp]'.
    """
    paths = discover(repo_path)
    try:
        from hookwise.mcp.server import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in EXTRA_MODULES:
            raise
        raise ExtraMissingError("mcp", "the MCP server") from None
    serve(paths)


COMMANDS = (mcp,)
