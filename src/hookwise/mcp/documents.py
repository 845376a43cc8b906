"""The MCP resources: the metrics summary and the health report as Markdown.

Markdown rather than JSON because a resource is read whole into an agent's
context, where a few headed lines cost a tenth of the tokens of the full
``--json`` objects (the health JSON of this repository lists every branch);
an agent that wants the figures calls the tools, which return the JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths

#: The window of the metrics summary: the last 30 days, today included.
SUMMARY_DAYS = 30


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def metrics_summary(paths: RepoPaths) -> str:
    """Velocity, branch activity, merges, commit-message compliance and sessions, last 30 days."""
    from hookwise.mcp.tools import branch_activity, git_velocity

    velocity = git_velocity(paths, SUMMARY_DAYS)
    activity = branch_activity(paths, SUMMARY_DAYS)
    window, speed, sessions = velocity["window"], velocity["velocity"], velocity["sessions"]
    switches, merges = activity["branch_switches"], activity["merges"]
    span = f"{window['start']} to {window['end']}" if window["start"] else "no commits"
    lines = [
        f"# Metrics: last {SUMMARY_DAYS} days ({span})",
        "",
        *(f"> {notice}" for notice in velocity.get("notices", ())),
        "## Velocity",
        f"- {_count(speed['commits'], 'commit')} over {_count(speed['days'], 'day')}: "
        f"{speed['per_day']:.2f}/day, {speed['per_week']:.1f}/week; "
        f"trend {speed['trend'] or 'n/a'}",
    ]
    lines += [
        f"- {a['author']} <{a['email']}>: {_count(a['commits'], 'commit')} ({a['share']:.0%})"
        for a in speed["by_author"][:5]
    ]
    lines += [
        "",
        "## Branches and merges",
        f"- {_count(switches['count'], 'branch switch', 'branch switches')} "
        f"({switches['per_day']:.2f}/day)",
        f"- {_count(merges['count'], 'merge')}, {merges['conflicted']} with conflicts "
        f"(conflict rate {_rate(merges['conflict_rate'])})",
    ]
    lines += [f"- conflicts in {h['path']}: {h['conflicts']}" for h in merges["hotspots"][:5]]
    lines += ["", "## Work sessions", _sessions(sessions)]
    return "\n".join(lines) + "\n"


def _sessions(sessions: dict[str, Any]) -> str:
    median = sessions["median_minutes"]
    length = "n/a" if median is None else f"{median:.0f} min"
    return (
        f"- {_count(sessions['count'], 'session')} (a pause over "
        f"{sessions['gap_minutes']} min starts one), median length {length}"
    )


def health_report(paths: RepoPaths) -> str:
    """The health score, each component with its advice, and the findings with what to do."""
    from hookwise.mcp.tools import repository_health

    report = repository_health(paths)
    score = "n/a" if report["score"] is None else f"{report['score']}/100"
    lines = [f"# Repository health: {score}", ""]
    lines += [f"> {notice}" for notice in report.get("notices", ())]
    lines += ["## Components"]
    for part in report["components"]:
        value = "n/a" if part["score"] is None else part["score"]
        advice = f" Advice: {part['advice']}" if part["advice"] else ""
        lines.append(f"- {part['title']}: {value} ({part['detail']}).{advice}")
    lines += ["", "## Findings"]
    lines += [
        f"- [{f['severity']}] {f['subject']}: {f['detail']} -> {f['action']}"
        for f in report["findings"]
    ] or ["- none"]
    return "\n".join(lines) + "\n"
