"""Sync payloads as a client would send them (plain JSON, built by hand)."""

from __future__ import annotations

from typing import Any

from hookwise.sync.wire import author_id


def day(repo: str, on: str, commits: int = 3, **fields: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "repo": repo,
        "day": on,
        "commits": commits,
        "authors": [author_id("ada@example.com"), author_id("bob@example.com")],
        "merges": 1,
        "conflicted_merges": 0,
        "branch_switches": 4,
        "active_branches": min(commits, 2),
        "cc_eligible": commits,
        "cc_compliant": commits,
        "sessions": 1,
        "checks_run": 2,
        "fixes": [],
    }
    summary.update(fields)
    return summary


def pattern(
    repo: str, strategy: str, success: float, support: float = 4.0, **fields: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "repo": repo,
        "tool": "ruff",
        "rule": "F401",
        "signature": "`<name>` imported but unused",
        "strategy": strategy,
        "kind": "delete",
        "success": success,
        "support": support,
    }
    found.update(fields)
    return found


def batch(
    summaries: list[dict[str, Any]], patterns: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"version": 1, "summaries": summaries, "patterns": patterns or []}
