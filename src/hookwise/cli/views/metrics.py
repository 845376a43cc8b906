"""``hookwise metrics`` in a terminal: facts and rankings, each table within 80 columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookwise.cli.views.figures import number, percent, sparkline

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hookwise.insights.figures import Metrics

# Rankings show their top rows; --json lists all.
TOP = 8


def metrics_view(m: Metrics) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def facts(title: str, rows: list[tuple[str, str]]) -> Table:
        table = Table(title=title, title_justify="left", box=None, show_header=False)
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        for label, value in rows:
            table.add_row(label, value)
        return table

    def ranking(title: str, headers: Sequence[str], rows: list[Sequence[str]]) -> Table:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i == 0 else "right", overflow="fold")
        for row in rows[:TOP]:
            table.add_row(*row)
        if len(rows) > TOP:
            table.caption = f"and {len(rows) - TOP} more (--json lists all)"
        return table

    w, v, s, mg, cc, ss = (
        m.window,
        m.velocity,
        m.branch_switches,
        m.merges,
        m.conventional,
        m.sessions,
    )
    scope = [f"{w.start} → {w.end} ({w.days} days)" if w.days else "no history in the window"]
    if w.author:
        scope.append(f"author ~ {w.author}")
    if w.branch:
        scope.append(f"branch {w.branch}")
    trend = "n/a" if v.trend_per_day is None else f"{v.trend_per_day:+.4f} commits/day per day"
    if v.trend:
        trend += f" ({v.trend})"
    out: list[RenderableType] = [Text("hookwise metrics · " + " · ".join(scope), style="bold")]
    out.append(
        facts(
            "Velocity",
            [
                ("commits", f"{v.commits:,}"),
                (
                    "per day",
                    f"{number(v.per_day)}   per week {number(v.per_week)}   "
                    f"per hour {number(v.per_hour, 3)}",
                ),
                ("trend", trend),
                ("daily", sparkline([d.commits for d in v.daily])),
                (
                    "busiest",
                    "n/a"
                    if v.busiest_hour is None
                    else f"{v.busiest_hour:02d}:00-{v.busiest_hour:02d}:59, {v.busiest_weekday}"
                    " (committer's local time)",
                ),
            ],
        )
    )
    out.append(
        ranking(
            "Authors",
            ["author", "commits", "per day", "share"],
            [
                [a.author, f"{a.commits:,}", number(a.per_day), percent(a.share)]
                for a in v.by_author
            ],
        )
    )
    out.append(
        ranking(
            "Branches",
            ["branch", "commits", "per day"],
            [[b.branch or "(unknown)", f"{b.commits:,}", number(b.per_day)] for b in v.by_branch],
        )
    )
    out.append(
        facts(
            "Branch switches",
            [
                ("switches", f"{s.count:,}   per day {number(s.per_day)}"),
                (
                    "median stay",
                    "n/a"
                    if s.median_minutes_on_branch is None
                    else f"{s.median_minutes_on_branch:,.1f} min on a branch between switches",
                ),
                ("daily", sparkline([d.switches for d in s.daily])),
                (
                    "most to",
                    ", ".join(f"{b.branch} ({b.switches})" for b in s.by_branch[:4]) or "n/a",
                ),
            ],
        )
    )
    out.append(
        facts(
            "Merges",
            [
                (
                    "merges",
                    f"{mg.count:,}   squash merges {mg.squash_merges:,} (live capture only)",
                ),
                (
                    "conflicted",
                    f"{mg.conflicted:,} of {mg.checked:,} re-merged ({percent(mg.conflict_rate)})"
                    + (
                        f"; {mg.unchecked:,} not yet checked (the worker re-merges them "
                        "in the background: `hookwise status`)"
                        if mg.unchecked
                        else ""
                    ),
                ),
                ("conflicts", sparkline([d.conflicted for d in mg.daily])),
            ],
        )
    )
    if mg.hotspots:
        out.append(
            ranking(
                "Conflict hotspots",
                ["path", "conflicts"],
                [[h.path, str(h.conflicts)] for h in mg.hotspots],
            )
        )
    out.append(
        facts(
            "Conventional commits",
            [
                ("compliant", f"{cc.compliant:,} of {cc.eligible:,} ({percent(cc.rate)})"),
                ("breaking", f"{cc.breaking:,}"),
                (
                    "by type",
                    ", ".join(f"{t} {n}" for t, n in list(cc.by_type.items())[:8]) or "n/a",
                ),
                ("left out", f"{cc.merges:,} merges, {cc.reverts:,} reverts, {cc.fixups:,} fixups"),
            ],
        )
    )
    out.append(
        facts(
            "Work sessions",
            [
                (
                    "sessions",
                    f"{ss.count:,} (a new one after {ss.gap_minutes} min without a commit)",
                ),
                (
                    "median",
                    "n/a"
                    if ss.median_minutes is None
                    else f"{ss.median_minutes:,.1f} min, {number(ss.commits_per_session)} "
                    "commits per session",
                ),
            ],
        )
    )
    return out
