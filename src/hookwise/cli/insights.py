"""Commands that answer questions about how work flows: metrics, health, report.

They parse options, call ``hookwise.insights.metrics`` / ``health`` /
``report`` and print the result through ``cli/views``, or one JSON object
with ``--json``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli.options import flag, json_option, repo_option, window, window_options
from hookwise.cli.views import print_sections
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.insights.windows import Filters
    from hookwise.store.db import Store


def _open(repo_path: Path) -> tuple[Store, RepoPaths]:
    from hookwise.store.db import Store

    paths = discover(repo_path)
    store = Store.open(paths, create=False)
    if store.count("commits") == 0:
        click.echo(
            "hookwise: the store has no commits yet; run `hookwise backfill` to read the "
            "existing history",
            err=True,
        )
    return store, paths


def _filters(
    since: str | None,
    start: str | None,
    end: str | None,
    author: str | None = None,
    branch: str | None = None,
    session_gap: str = "2h",
) -> Filters:
    from hookwise.insights.windows import Filters, parse_gap

    days = window(since, start, end, date.today())
    with flag("--session-gap"):
        gap = parse_gap(session_gap)
    return Filters(window=days, author=author, branch=branch, session_gap_minutes=gap)


@click.command("metrics")
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
@json_option()
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
    result = metrics(store, filters)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    from hookwise.cli.views.metrics import metrics_view

    print_sections(metrics_view(result))


@click.command("health")
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
@json_option()
def health_command(repo_path: Path, stale_days: int, recent_days: int, as_json: bool) -> None:
    """A 0-100 health score with its components, and findings with what to do."""
    from hookwise.insights.health import health

    store, paths = _open(repo_path)
    result = health(paths, store, stale_days=stale_days, recent_days=recent_days)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    from hookwise.cli.views.health import health_view

    print_sections(health_view(result))


@click.command("report")
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
    path = write_report(paths, store, output, filters)
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size / 1024:,.0f} KB); open it in a browser, no network needed")


COMMANDS = (metrics_command, health_command, report_command)
