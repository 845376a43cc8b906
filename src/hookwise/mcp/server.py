"""``hookwise mcp``: the repository's memory as MCP tools and resources, over stdio.

Built on the official SDK's ``MCPServer`` (``mcp>=2.3``, the ``mcp``
extra). Each tool is a thin wrapper over ``hookwise.mcp.tools``: its
arguments get a JSON schema from their annotations (the SDK rejects
wrong types and missing fields before the tool runs, as a tool error the
agent reads), and a ``HookwiseError`` becomes a ``ToolError`` carrying its
message, so a bad argument or a missing store is one clear answer and the
server keeps serving. Starting the server imports the SDK and nothing of
hookwise's heavy stack: ``serve`` opens the store (LanceDB) on a background
thread while the client's handshake is answered, and the embedder loads
on the first call that needs it (``bench/mcp_start.py`` measures both
the first call at once and after a pause).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import BaseModel, ConfigDict, Field

from hookwise import __version__
from hookwise.capture.locations import RepoPaths
from hookwise.errors import HookwiseError
from hookwise.mcp import documents, tools
from hookwise.mcp.patterns import cross_project_patterns as patterns

T = TypeVar("T")

INSTRUCTIONS = """\
hookwise remembers this git repository: its history, the checks run on it, and which fixes \
worked for which findings. Before fixing a checker finding (ruff, mypy, pytest, eslint ...), \
call suggest_fixes with it (or recent_findings to get the last check run's findings) to learn \
what worked before; after trying a fix, call record_fix_outcome with how it went, success or \
failure, so the next attempt starts from it. git_velocity, branch_activity, repository_health \
and search_history answer questions about the repository's history."""

Days = Annotated[
    int, Field(ge=1, le=36_500, description="The last N days, today included (e.g. 30).")
]


class FindingArg(BaseModel):
    """One checker finding, as `hookwise check` parses it (DESIGN §5) and recent_findings
    returns it."""

    model_config = ConfigDict(extra="forbid")

    tool: str = Field(description="The checker: ruff, mypy, pytest, eslint, flake8 ...")
    rule: str = Field(description="The checker's rule code, e.g. F401, arg-type, no-unused-vars.")
    message: str = Field(description="The checker's message for this finding.")
    path: str = Field(description="The file, relative to the repository root.")
    line: int | None = Field(ge=1, description="The line (from 1), or null when none is named.")
    # The rest of what `hookwise check` stores, so recent_findings' answers pass back as they are.
    column: int | None = Field(default=None, ge=1, description="The column, from 1.")
    end_line: int | None = Field(default=None, ge=1, description="The last line, from 1.")
    severity: str | None = Field(default=None, description="The checker's severity, if any.")
    snippet: str | None = Field(default=None, description="The offending source line(s).")
    language: str | None = Field(default=None, description="The file's language, e.g. python.")
    fixable: bool = Field(default=False, description="The checker can fix it itself (--fix).")

    def shape(self) -> dict[str, Any]:
        return self.model_dump(exclude_defaults=True) | {"line": self.line}


def _answer(call: Callable[[], T]) -> T:
    """The tool's answer; a handled hookwise error as the MCP tool error the agent reads."""
    try:
        return call()
    except HookwiseError as exc:
        raise ToolError(str(exc)) from None


#: The documents (``hookwise.mcp.documents``): URI, title, description, renderer.
RESOURCES: tuple[tuple[str, str, str, Callable[[RepoPaths], str]], ...] = (
    (
        "hookwise://metrics",
        "Metrics summary (last 30 days)",
        "Velocity, branch switches, merges and conflicts, sessions: Markdown.",
        documents.metrics_summary,
    ),
    (
        "hookwise://health",
        "Health report",
        "The 0-100 health score, its components with advice, and findings.",
        documents.health_report,
    ),
)


def _reader(render: Callable[[RepoPaths], str], paths: RepoPaths) -> Callable[[], str]:
    """The resource's read function; a handled hookwise error as an MCP error."""

    def read() -> str:
        try:
            return render(paths)
        except HookwiseError as exc:
            raise ResourceError(str(exc)) from None

    return read


def build_server(paths: RepoPaths) -> MCPServer:
    """The server for the repository at ``paths``: eight tools and two resources."""
    server: MCPServer = MCPServer(
        name="hookwise", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )

    @server.tool()
    def git_velocity(since_days: Days = 30) -> dict[str, Any]:
        """Commit velocity over the last `since_days` days: commits per hour/day/week, the trend
        (least-squares slope; rising, falling or steady), per-author and per-branch breakdowns,
        commits by hour and weekday, daily counts, and work sessions. Returns
        {"window", "velocity", "sessions"} as `hookwise metrics --json` writes them."""
        return _answer(lambda: tools.git_velocity(paths, since_days))

    @server.tool()
    def branch_activity(since_days: Days = 30) -> dict[str, Any]:
        """Branch switches (per branch switched to, per day, median minutes on a branch) and
        merges (count, conflicted, conflict rate, conflict hotspots by path) over the last
        `since_days` days. Returns {"window", "branch_switches", "merges"} as
        `hookwise metrics --json` writes them."""
        return _answer(lambda: tools.branch_activity(paths, since_days))

    @server.tool()
    def repository_health() -> dict[str, Any]:
        """The repository's 0-100 health score with its components (activity, merge pain,
        message discipline, branch hygiene, fix success), each with advice, and findings
        (stale or merged branches, churn hotspots) with the action to take. Returns
        `hookwise health --json`: {"score", "components", "findings", "branches", "hotspots",
        ...}."""
        return _answer(lambda: tools.repository_health(paths))

    @server.tool()
    def search_history(
        query: Annotated[
            str, Field(min_length=1, description="What the commit did, in your own words.")
        ],
        limit: Annotated[int, Field(ge=1, le=1000, description="How many commits.")] = 10,
        author: Annotated[
            str | None, Field(description="Only commits whose author name or email has this.")
        ] = None,
        since: Annotated[
            str | None,
            Field(description="Only commits since: 30d, 4w (today included) or YYYY-MM-DD."),
        ] = None,
    ) -> dict[str, Any]:
        """Find commits by meaning and words (hybrid search over subjects, bodies and changed
        paths), e.g. "when did we drop python 3.8". Returns {"results": [{"sha", "subject",
        "date", "author", "score"}], "notices"}, best first; `git show SHA` shows one."""
        return _answer(lambda: tools.search_history(paths, query, limit, author, since))

    @server.tool()
    def suggest_fixes(
        findings: Annotated[
            list[FindingArg],
            Field(max_length=tools.MAX_FINDINGS, description="The findings to fix."),
        ],
        limit: Annotated[int, Field(ge=1, le=100, description="Strategies per finding.")] = 5,
    ) -> dict[str, Any]:
        """What fixed findings like these before, in this repository: per finding, in order,
        {"finding", "suggestions": [{"strategy", "kind", "confidence", "success_rate",
        "support", "examples": [{"commit", "diff"}], "learned"}]}, best first. `support` is
        how many past attempts stand behind a strategy, `success_rate` how often it worked,
        `confidence` the calibrated chance it works here. Empty suggestions: nothing known
        yet. Returns {"results", "notices"}."""
        shapes = [finding.shape() for finding in findings]
        return _answer(lambda: tools.suggest_fixes(paths, shapes, limit))

    @server.tool()
    def record_fix_outcome(
        finding: Annotated[FindingArg, Field(description="The finding the fix was for.")],
        strategy: Annotated[
            str,
            Field(
                min_length=1,
                description="What was done, in a few words that recur across fixes, e.g. "
                "'remove unused import', 'add type annotation', 'noqa'.",
            ),
        ],
        outcome: Annotated[
            Literal["success", "failure"],
            Field(description="success: the finding went away; failure: it did not."),
        ],
        skill: Annotated[
            str | None, Field(description="Your skill or agent name, kept as context.skill.")
        ] = None,
        diff: Annotated[str | None, Field(description="The change, as a unified diff.")] = None,
    ) -> dict[str, Any]:
        """Record how a fix attempt went (source "agent"), failures too, so suggest_fixes
        ranks this strategy up or down next time. Returns {"id", "recorded", "strategy",
        "kind", "outcome", "source", "context"}; recorded is false when this exact attempt
        was recorded before."""
        shape = finding.shape()
        return _answer(
            lambda: tools.record_fix_outcome(
                paths, shape, strategy, outcome, skill=skill, diff=diff
            )
        )

    @server.tool()
    def recent_findings(
        limit: Annotated[int, Field(ge=1, le=1000, description="At most this many.")] = 50,
    ) -> dict[str, Any]:
        """The findings of the newest `hookwise check` run, still open, in file order, each in
        the shape suggest_fixes takes. Returns {"total", "findings"}; empty before any check
        run."""
        return _answer(lambda: tools.recent_findings(paths, limit))

    @server.tool()
    def cross_project_patterns(
        rule: Annotated[str | None, Field(description="Only patterns for this rule.")] = None,
    ) -> dict[str, Any]:
        """Fix patterns learned across the team's projects, pulled from the aggregator by
        `hookwise sync --pull`. Returns {"synced", "rule", "patterns", "message"?}; when
        nothing was synced, synced is false and message says how to sync."""
        return _answer(lambda: patterns(tools.open_store(paths), rule))

    for uri, title, description, render in RESOURCES:
        server.resource(
            uri,
            name=uri.removeprefix("hookwise://"),
            title=title,
            description=description,
            mime_type="text/markdown",
        )(_reader(render, paths))

    return server


def warm(paths: RepoPaths) -> None:
    """Open the store once, so LanceDB (1.6-2.3 s to import here) is loaded before a tool asks.

    A client starts the server when its session starts and calls a tool
    when the agent needs one, seconds later: run in the background while
    the handshake is answered, this takes the import off the first call.
    Best effort: whatever fails here, the tool call that needs it reports.
    With a warm worker, which answers the figures, searches and suggestions
    with LanceDB already loaded, the import would only compete with the
    first call for the CPU, so it is left to the tools that write.
    """
    from hookwise.capture import rpc

    try:
        if rpc.call("ping", {}, timeout=1.0) is not None:
            return
    except Exception:  # a worker that does not answer: warm this process as without one
        pass
    try:
        import hookwise.insights.metrics  # noqa: F401  (pyarrow, numpy)

        tools.open_store(paths)
    except Exception:  # the tool that needs the store says what is wrong
        return


def serve(paths: RepoPaths) -> None:
    """Serve over stdin/stdout until the client closes them; the store loads meanwhile."""
    server = build_server(paths)
    threading.Thread(target=warm, args=(paths,), name="hookwise-warm", daemon=True).start()
    server.run("stdio")
