"""``hookwise status`` in a terminal: one labelled row per thing that can go wrong."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from hookwise.cli.views.figures import human_bytes

if TYPE_CHECKING:
    from rich.table import Table

    from hookwise.capture.locations import RepoPaths
    from hookwise.history.status import Status


def status_table(report: Status, paths: RepoPaths) -> Table:
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("repository", report.repository)
    table.add_row("hooks", describe_hooks(report.hooks))
    table.add_row(
        "worker",
        f"running (pid {report.worker_pid})" if report.worker_running else "not running",
    )
    table.add_row("spool backlog", f"{report.spool_backlog} events")
    if report.corrupt_events:
        table.add_row("corrupt events", f"{report.corrupt_events} (see {paths.corrupt_dir})")
    for name, count in report.rows.items():
        table.add_row(f"{name}", f"{count:,} rows")
    for name in report.missing_tables:
        table.add_row(name, "[red]missing[/red]")
    for name in report.damaged_tables:
        table.add_row(name, "[red]damaged[/red]")
    table.add_row("store", f"{human_bytes(report.store_bytes)} in {report.store}")
    if report.embedder is not None:
        waiting = int(report.embedder["waiting"])
        if waiting:
            vectors = f"{waiting:,} commit{'s wait' if waiting != 1 else ' waits'} for a vector"
        elif report.rows.get("commits"):
            vectors = "every commit has a vector"
        else:
            vectors = "no commits yet"
        moving = report.embedder.get("moving")
        if moving:
            vectors += (
                f"; moving to {moving['to']} vectors in the background: "
                f"{moving['done']:,} of {moving['of']:,} commits"
            )
        table.add_row("embedder", f"{report.embedder['description']}; {vectors}")
    if report.conflict_checks is not None and report.conflict_checks["pending"]:
        table.add_row("conflict checks", describe_conflict_checks(report.conflict_checks))
    if report.last_event_time:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(report.last_event_time))
        table.add_row("last event", when)
    for job, entry in report.maintenance.items():
        table.add_row(job, describe_maintenance(entry))
    error = report.last_error or "none"
    if report.last_error and report.last_error_resolved:
        error += " [green](resolved: events captured since were stored)[/green]"
    table.add_row("last error", error)
    for problem in report.problems:
        table.add_row("[red]problem[/red]", problem)
    return table


def describe_hooks(hooks: dict[str, object]) -> str:
    native = hooks.get("native") or {}
    precommit = hooks.get("pre_commit") or {}
    names = [n for n, on in dict(native).items() if on] if isinstance(native, dict) else []
    managed = [n for n, on in dict(precommit).items() if on] if isinstance(precommit, dict) else []
    parts = []
    if names:
        parts.append("native: " + ", ".join(sorted(names)))
    if managed:
        parts.append("pre-commit: " + ", ".join(sorted(managed)))
    return "; ".join(parts) or "not installed (run `hookwise install`)"


def describe_conflict_checks(checks: dict[str, Any]) -> str:
    """How many merges wait for the worker's conflict check, and how fast it goes."""
    pending = int(checks["pending"])
    line = f"{pending:,} merge{'s wait' if pending != 1 else ' waits'} for a conflict check"
    rate = checks.get("rate")
    if rate:
        line += f", {rate:,.0f} merges/s"
        if checks.get("running"):
            line += f" (about {max(1, round(pending / rate / 60))} min left)"
    elif not checks.get("running"):
        line += " (the worker checks them in the background)"
    return line


#: How a figure of a maintenance job reads after its count.
FIGURE_WORDS = {
    "tables": "tables compacted",
    "fragments_removed": "fragments folded",
    "versions_pruned": "versions pruned",
    "runs_deleted": "check runs deleted",
    "findings_deleted": "findings deleted",
    "commit_vectors": "commit vectors re-embedded",
    "fix_attempts": "fix attempts re-embedded",
    "findings": "findings re-embedded",
}


def describe_maintenance(entry: dict[str, Any]) -> str:
    """``2026-11-29 23:10: 3 tables compacted, 120 fragments folded ...; looked 23:40``."""
    if entry.get("last_run") is None:
        return "not run yet (the worker runs it when idle)"
    did = entry.get("did") or {}
    figures = ", ".join(f"{int(n):,} {FIGURE_WORDS.get(k, k)}" for k, n in did.items() if n)
    text = f"{_when(int(entry['last_run']))}: {figures or 'nothing to do'}"
    checked = entry.get("last_checked")
    if checked is not None and checked != entry["last_run"]:
        text += f"; last looked {_when(int(checked))}"
    return text


def _when(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))
