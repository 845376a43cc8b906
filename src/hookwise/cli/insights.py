"""Commands that answer questions about how work flows: metrics, health, report.

They parse options, call ``hookwise.insights.metrics`` / ``health`` /
``report`` and print the result: rich tables sized for an 80-column
terminal, or one JSON object with ``--json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hookwise.cli import main, repo_option
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hookwise.capture.locations import RepoPaths
    from hookwise.insights.health import Health
    from hookwise.insights.metrics import Filters, Metrics
    from hookwise.store.db import Store

SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 56
TOP = 8
# 150 merged branches make one point, not 150 rows.
FINDINGS_PER_KIND = 5

F = TypeVar("F", bound=Callable[..., Any])


def window_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--since",
                metavar="30d|4w|DATE",
                help="The last N days (or weeks), today included, or from a date on.",
            ),
            click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD."),
            click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (included)."),
        ]
    ):
        command = option(command)
    return command


def sparkline(values: Sequence[int], width: int = SPARK_WIDTH) -> str:
    """One character per value, or per bucket of values summed when there are more."""
    if not values:
        return ""
    if len(values) > width:
        size = -(-len(values) // width)
        values = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    top = max(values)
    if top == 0:
        return SPARK[0] * len(values)
    return "".join(
        " " if v == 0 else SPARK[min(len(SPARK) - 1, (v * len(SPARK) - 1) // top)] for v in values
    )


def _open(repo_path: Path) -> tuple[Store, RepoPaths]:
    from hookwise.store.db import Store

    paths = discover(repo_path)
    return Store.open(paths, create=False), paths


def _filters(
    since: str | None,
    start: str | None,
    end: str | None,
    author: str | None = None,
    branch: str | None = None,
    session_gap: str = "2h",
) -> Filters:
    from hookwise.insights.metrics import Filters, parse_gap, resolve_window

    return Filters(
        window=resolve_window(since, start, end, date.today()),
        author=author,
        branch=branch,
        session_gap_minutes=parse_gap(session_gap),
    )


def _warn_if_empty(store: Store) -> None:
    if store.count("commits") == 0:
        click.echo(
            "hookwise: the store has no commits yet; run `hookwise backfill` to read the "
            "existing history",
            err=True,
        )


# -- metrics --------------------------------------------------------------------


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


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
                    f"{_num(v.per_day)}   per week {_num(v.per_week)}   "
                    f"per hour {_num(v.per_hour, 3)}",
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
            [[a.author, f"{a.commits:,}", _num(a.per_day), _pct(a.share)] for a in v.by_author],
        )
    )
    out.append(
        ranking(
            "Branches",
            ["branch", "commits", "per day"],
            [[b.branch or "(unknown)", f"{b.commits:,}", _num(b.per_day)] for b in v.by_branch],
        )
    )
    out.append(
        facts(
            "Branch switches",
            [
                ("switches", f"{s.count:,}   per day {_num(s.per_day)}"),
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
                    f"{mg.conflicted:,} of {mg.checked:,} re-merged ({_pct(mg.conflict_rate)})",
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
                ("compliant", f"{cc.compliant:,} of {cc.eligible:,} ({_pct(cc.rate)})"),
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
                    else f"{ss.median_minutes:,.1f} min, {_num(ss.commits_per_session)} "
                    "commits per session",
                ),
            ],
        )
    )
    return out


def _print(renderables: list[RenderableType]) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    for item in renderables:
        console.print(item)
        console.print()


@main.command("metrics")
@repo_option
@window_options
@click.option("--author", help="Only commits whose author name or email contains this.")
@click.option("--branch", help="Only commits made on this branch, and switches to it.")
@click.option(
    "--session-gap",
    default="2h",
    show_default=True,
    help="A pause longer than this starts a new work session (e.g. 90m, 2h).",
)
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object.")
def metrics_command(
    repo_path: Path,
    since: str | None,
    start: str | None,
    end: str | None,
    author: str | None,
    branch: str | None,
    session_gap: str,
    as_json: bool,
) -> None:
    """Velocity, branch switches, merge conflicts, commit-message compliance, sessions.

    Days, hours and weekdays are read in each commit's own time zone; every
    figure is defined in docs/metrics.md.
    """
    from hookwise.insights.metrics import metrics

    filters = _filters(since, start, end, author, branch, session_gap)
    store, _ = _open(repo_path)
    _warn_if_empty(store)
    result = metrics(store, filters)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print(metrics_view(result))


# -- health ---------------------------------------------------------------------


def health_view(h: Health) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    score = "n/a" if h.score is None else f"{h.score}/100"
    out: list[RenderableType] = [Text(f"hookwise health · {score}", style="bold")]
    components = Table(box=box.SIMPLE_HEAD, title="Components", title_justify="left")
    components.add_column("component", no_wrap=True)
    components.add_column("score", justify="right", no_wrap=True)
    components.add_column("weight", justify="right", no_wrap=True)
    components.add_column("measured, and what to do", ratio=1)
    for c in h.components:
        text = c.detail + (f"\n→ {c.advice}" if c.advice else "")
        components.add_row(
            c.title,
            "n/a" if c.score is None else str(c.score),
            f"{c.weight * 100:.0f}%" if c.score is not None else "-",
            text,
        )
    out.append(components)
    if h.findings:
        findings = Table(box=box.SIMPLE_HEAD, title="Findings", title_justify="left")
        findings.add_column("", no_wrap=True)
        findings.add_column("branch or file", overflow="fold", max_width=28)
        findings.add_column("finding, and what to do", ratio=1)
        shown: dict[str, int] = {}
        for f in h.findings:
            shown[f.kind] = shown.get(f.kind, 0) + 1
            if shown[f.kind] > FINDINGS_PER_KIND:
                continue
            mark = "[red]![/red]" if f.severity == "warning" else "·"
            findings.add_row(mark, f.subject, f"{f.detail}\n→ {f.action}")
        hidden = [
            f"{n - FINDINGS_PER_KIND} more {kind.replace('_', ' ')}"
            for kind, n in shown.items()
            if n > FINDINGS_PER_KIND
        ]
        if hidden:
            findings.caption = f"and {', '.join(hidden)} findings (--json lists all)"
        out.append(findings)
    else:
        out.append(Text("No findings.", style="dim"))
    return out


@main.command("health")
@repo_option
@click.option(
    "--stale-days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="A branch without a commit for this many days is stale.",
)
@click.option(
    "--recent-days",
    type=click.IntRange(min=1),
    default=90,
    show_default=True,
    help="The window for merge pain, message discipline and churn hotspots.",
)
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object.")
def health_command(repo_path: Path, stale_days: int, recent_days: int, as_json: bool) -> None:
    """A 0-100 health score with its components, and findings with what to do."""
    from hookwise.insights.health import health

    store, paths = _open(repo_path)
    _warn_if_empty(store)
    result = health(paths, store, stale_days=stale_days, recent_days=recent_days)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print(health_view(result))


# -- report ---------------------------------------------------------------------


@main.command("report")
@repo_option
@window_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="Where to write the HTML file.",
)
def report_command(
    repo_path: Path, since: str | None, start: str | None, end: str | None, output: Path
) -> None:
    """A self-contained HTML report (charts and health) that opens offline."""
    from hookwise.insights.report import write_report

    filters = _filters(since, start, end)
    store, paths = _open(repo_path)
    _warn_if_empty(store)
    path = write_report(paths, store, output, filters)
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size / 1024:,.0f} KB); open it in a browser, no network needed")
