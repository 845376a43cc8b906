"""What each MCP tool answers, as plain functions over the capability packages.

Each takes the repository's ``RepoPaths`` and typed values and returns a
JSON object (a dict), or raises a ``HookwiseError`` whose message says what
to do; ``hookwise.mcp.server`` gives them their schemas and descriptions and
turns the errors into MCP tool errors. Nothing here imports the MCP SDK, so
these are tested in-process, and nothing heavy is imported before a tool
runs: LanceDB, numpy and the embedder load inside the first call that
needs them.

The shapes are the CLI's ``--json`` shapes (DESIGN §5), so a script and an
agent read the same figures: ``git_velocity`` and ``branch_activity`` are
parts of ``hookwise metrics --json``, ``repository_health`` is ``hookwise
health --json``, ``search_history``'s hits are ``hookwise search --json``'s
and ``suggest_fixes``'s results are ``hookwise suggest --json``'s lines.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import date, datetime
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

from hookwise.errors import StoreMissingError, UsageError

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.checks.findings import Finding
    from hookwise.store.db import Store

#: How long a tool waits for the warm worker before answering in this process.
#: As long as the CLI waits: the worker's first answer may load the model.
WORKER_TIMEOUT = 60.0
#: Findings ``suggest_fixes`` takes in one call; ``hookwise check`` on a
#: large tree rarely fails more, and the worker answers 20 in under 50 ms.
MAX_FINDINGS = 200


def open_store(paths: RepoPaths) -> Store:
    """The repository's store; ``StoreMissingError`` (run ``hookwise init``) when there is none."""
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    from hookwise.store.db import Store

    return Store.open(paths, create=False)


def require_store(paths: RepoPaths) -> None:
    """``StoreMissingError`` (run ``hookwise init``) without opening the store: a question
    the worker answers needs no LanceDB in this process."""
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)


def _insights(paths: RepoPaths, what: str, since_days: int = 30) -> dict[str, Any]:
    """``hookwise.insights.answers.answer`` from the warm worker, else computed here.

    The worker has LanceDB loaded; this process would spend 1.6-2.3 s
    importing it for the first call (``bench/mcp_start.py``).
    """
    from hookwise.capture.ask import ask

    require_store(paths)
    args: dict[str, Any] = {
        "what": what,
        "since_days": since_days,
        "today": date.today().isoformat(),
    }
    if paths.worktree is not None:
        args["worktree"] = str(paths.worktree)
    answer = ask("insights", paths.hookwise_dir, args, timeout=WORKER_TIMEOUT)
    if isinstance(answer, dict):
        return answer
    from hookwise.insights.answers import answer as compute

    return compute(open_store(paths), what, since_days=since_days, today=date.today())


def git_velocity(paths: RepoPaths, since_days: int) -> dict[str, Any]:
    """``window`` and ``velocity`` of ``hookwise metrics --json --since Nd``, and ``sessions``."""
    return _insights(paths, "velocity", since_days)


def branch_activity(paths: RepoPaths, since_days: int) -> dict[str, Any]:
    """``window``, ``branch_switches`` and ``merges`` of ``hookwise metrics --json``."""
    return _insights(paths, "branches", since_days)


def repository_health(paths: RepoPaths) -> dict[str, Any]:
    """``hookwise health --json``: the score, its components, findings, branches, hotspots."""
    return _insights(paths, "health")


def since_epoch(since: str) -> int:
    """``30d``, ``4w`` or ``YYYY-MM-DD`` -> local midnight of that first day, as the CLI has it."""
    from hookwise.insights.windows import parse_since

    start = parse_since(since, date.today()).start
    assert start is not None  # parse_since always starts a window
    return int(datetime.combine(start, clock_time.min).astimezone().timestamp())


def search_history(
    paths: RepoPaths, query: str, limit: int, author: str | None, since: str | None
) -> dict[str, Any]:
    """``hookwise search --json``'s hits under ``results``, best first, and any notices.

    Asks the warm worker first, exactly as the command does; without one
    it answers here (and ``ask`` starts a worker for next time).
    """
    from hookwise.capture.ask import ask
    from hookwise.search.request import Filters, SearchRequest, SearchResult

    require_store(paths)  # no store: say `hookwise init` before asking anyone
    request = SearchRequest(
        query=query,
        limit=limit,
        filters=Filters(author=author or None, since=since_epoch(since) if since else None),
    )
    answer = ask("search", paths.hookwise_dir, request.to_args(), timeout=WORKER_TIMEOUT)
    if isinstance(answer, dict):
        result = SearchResult.from_json(answer)
    else:
        from hookwise.search.engine import search_in_process

        result = search_in_process(paths, request)
    return {"results": [hit.to_json() for hit in result.hits], "notices": list(result.notices)}


def read_findings(shapes: Sequence[object]) -> list[Finding]:
    """Findings in §5's shape; a bad one raises ``UsageError`` naming its position (from 1)."""
    from hookwise.checks.findings import Finding

    if len(shapes) > MAX_FINDINGS:
        raise UsageError(
            f"{len(shapes)} findings in one call; ask about at most {MAX_FINDINGS} at a time"
        )
    findings = []
    for number, shape in enumerate(shapes, 1):
        try:
            findings.append(Finding.from_json(shape))
        except UsageError as exc:
            raise UsageError(f"finding {number}: {exc}") from None
    return findings


def suggest_fixes(paths: RepoPaths, shapes: Sequence[object], limit: int) -> dict[str, Any]:
    """``hookwise suggest --json``'s lines under ``results``, one per finding, in order."""
    from hookwise.capture.ask import ask
    from hookwise.fixes.suggest import SuggestResult

    findings = read_findings(shapes)
    require_store(paths)
    if not findings:
        return {"results": [], "notices": []}
    args = {"findings": [f.to_json() for f in findings], "limit": limit}
    answer = ask("suggest", paths.hookwise_dir, args, timeout=WORKER_TIMEOUT)
    if isinstance(answer, dict):
        result = SuggestResult.from_json(answer)
    else:
        from hookwise.fixes.suggest import suggest_in_process

        result = suggest_in_process(open_store(paths), findings, limit=limit)
    return {"results": [r.to_json() for r in result.results], "notices": list(result.notices)}


def record_fix_outcome(
    paths: RepoPaths,
    finding: object,
    strategy: str,
    outcome: str,
    *,
    skill: str | None = None,
    diff: str | None = None,
    kind: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Record one attempt (source ``agent``) as ``hookwise fix record`` does, then wake the worker.

    The record goes through ``hookwise.fixes.record.parse_record``, so every
    field is checked as on the command line; ``context.skill`` names the
    agent's skill. The worker, woken as ``hookwise fix record`` wakes it,
    embeds the attempt, so the next ``suggest_fixes`` compares it by meaning
    as well as by rule.
    """
    from hookwise.fixes.record import parse_record
    from hookwise.store.fixes import add_fix_attempts

    shape: dict[str, Any] = {
        "finding": finding,
        "strategy": strategy,
        "outcome": outcome,
        "source": "agent",
        "kind": kind,
        "diff": diff,
        "context": {"skill": skill} if skill else None,
    }
    attempt = parse_record(shape, now=int(time.time() if now is None else now))
    store = open_store(paths)
    recorded = add_fix_attempts(store, [attempt.to_row()])
    if recorded:
        wake_worker(paths)
    return {
        "id": attempt.id,
        "recorded": bool(recorded),  # False: this very attempt was recorded before
        "strategy": attempt.strategy,
        "kind": attempt.kind,
        "outcome": attempt.outcome,
        "source": attempt.source,
        "context": None if attempt.context is None else json.loads(attempt.context),
    }


def wake_worker(paths: RepoPaths) -> None:
    """Start the worker (unless ``HOOKWISE_NO_WORKER``) to embed new attempts, as ``fix record``."""
    from hookwise.capture.settings import Settings
    from hookwise.capture.wake import ensure_worker

    if not Settings().no_worker:
        ensure_worker(paths.hookwise_dir)


def recent_findings(paths: RepoPaths, limit: int) -> dict[str, Any]:
    """The newest check run's findings (still open: no later run has cleared them), file order.

    ``total`` counts them all; ``findings`` holds the first ``limit``, each
    in §5's finding shape, ready to pass to ``suggest_fixes``.
    """
    from hookwise.fixes.suggest import last_run_findings

    findings = last_run_findings(open_store(paths))
    return {"total": len(findings), "findings": [f.to_json() for f in findings[:limit]]}
