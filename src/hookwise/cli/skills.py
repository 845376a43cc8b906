"""``hookwise skills``: per skill, how often its fixes work, lately and overall.

See docs/learning.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hookwise.cli.options import json_option, repo_option, since_epoch
from hookwise.errors import StoreMissingError
from hookwise.git.repo import discover


@click.command()
@click.option(
    "--since",
    metavar="30d|4w|DATE",
    help="Only attempts made in the last N days (or weeks), or from a date on.",
)
@click.option(
    "--half-life",
    "half_life",
    type=click.FloatRange(min=0.0, min_open=True),
    default=90.0,
    show_default=True,
    metavar="DAYS",
    help="How fast the decayed success rate forgets: an attempt this many days older "
    "than the skill's newest counts half.",
)
@json_option("Write one JSON object: {since, half_life_days, skills: [...]}.")
@repo_option
def skills(since: str | None, half_life: float, as_json: bool, repo_path: Path) -> None:
    """Show how well each skill fixes findings, and where it works best and worst.

    A skill is the agent or script that made an attempt, as `fix record`
    names it in "context": {"skill": ...}; attempts that name none are
    grouped by source: (auto), (agent), (manual). Per skill: attempts,
    success rate raw and decayed (recent attempts count more), when it last
    tried and last succeeded, and the contexts (language, rule, complexity)
    where it succeeds most and least, each with its count.
    """
    from hookwise.learning.skills import skills_of
    from hookwise.store.db import Store

    start = since_epoch(since) if since is not None else None
    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    report = skills_of(Store.open(paths, create=False), since=start, half_life_days=half_life)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    if not report.skills:
        click.echo("no fix attempts recorded yet" + (" in that window" if since else ""), err=True)
        return
    from hookwise.cli.views.skills import skills_lines

    for line in skills_lines(report):
        click.echo(line)


COMMANDS = (skills,)
