"""The figures an agent asks for (``hookwise mcp``), answered by whoever holds the store open.

``hookwise mcp``'s first tool call used to open LanceDB in the MCP server's
own process: 1.6-2.3 s of imports before the answer (``bench/mcp_start.py``),
on top of the SDK's own 1.1-1.5 s. The warm worker has LanceDB loaded
already, so it serves the ``insights`` operation from these functions, and
the MCP server computes them itself only when no worker answers. One
function for both, so the two answers cannot differ.

The shapes are parts of the CLI's ``--json`` (DESIGN §5): ``velocity`` is
``window``, ``velocity`` and ``sessions`` of ``hookwise metrics --json``;
``branches`` is its ``window``, ``branch_switches`` and ``merges``;
``health`` is ``hookwise health --json``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hookwise.errors import UsageError

if TYPE_CHECKING:
    from hookwise.store.db import Store

#: What ``answer`` knows, and the keys of ``hookwise metrics --json`` each takes.
METRICS_PARTS = {
    "velocity": ("window", "velocity", "sessions"),
    "branches": ("window", "branch_switches", "merges"),
}
WHAT = (*METRICS_PARTS, "health")


def _notices(store: Store) -> list[str]:
    if store.count("commits") == 0:
        return [
            "the store has no commits yet; run `hookwise backfill` to read the existing history"
        ]
    return []


def answer(
    store: Store, what: str, *, since_days: int = 30, today: date | None = None
) -> dict[str, Any]:
    """The ``what`` figures of ``store``; ``notices`` added when there is something to say."""
    if what not in WHAT:
        raise UsageError(f"unknown figures {what!r}; one of: {', '.join(WHAT)}")
    if what == "health":
        from hookwise.insights.health import health

        shape = health(store.paths, store).to_json()
    else:
        from hookwise.insights.metrics import metrics
        from hookwise.insights.windows import Filters, parse_since

        day = today or date.today()
        result = metrics(store, Filters(window=parse_since(f"{since_days}d", day)), today=day)
        full = result.to_json()
        shape = {key: full[key] for key in METRICS_PARTS[what]}
    notices = _notices(store)
    if notices:
        shape["notices"] = notices
    return shape


def serve_insights(args: dict[str, Any]) -> dict[str, Any]:
    """The worker's ``insights`` operation: ``{"hookwise_dir", "what", "since_days"?, "today"?,
    "worktree"?}``; health reads branches and HEAD in the asking worktree.

    The store is opened for each question (milliseconds once LanceDB is
    loaded) so the answer sees every row the worker has written since.
    """
    import dataclasses

    from hookwise.capture.locations import RepoPaths
    from hookwise.errors import HookwiseError
    from hookwise.store.db import Store

    try:
        since_days = int(args.get("since_days") or 30)
        today = date.fromisoformat(str(args["today"])) if args.get("today") else None
        paths = RepoPaths.for_hookwise_dir(Path(str(args["hookwise_dir"])))
        if isinstance(args.get("worktree"), str):
            paths = dataclasses.replace(paths, worktree=Path(args["worktree"]))
        store = Store.open(paths, create=False)
        return answer(store, str(args.get("what")), since_days=since_days, today=today)
    except (HookwiseError, ValueError) as exc:
        kind = "UsageError" if isinstance(exc, (UsageError, ValueError)) else type(exc).__name__
        return {"error": str(exc), "kind": kind}
