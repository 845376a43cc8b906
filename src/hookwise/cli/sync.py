"""``hookwise sync``: push this repository's day summaries to the team's aggregator (docs/sync.md).

Parses options, finds the URL and token (flags, then the environment,
then ``[tool.hookwise.sync]``) and calls ``hookwise.sync.push``; a
problem below is one line naming values, and this edge names the flag.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli.options import flag, json_option, repo_option
from hookwise.errors import UsageError
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.sync.pull import PullReport


@click.command("sync")
@repo_option
@click.option(
    "--to",
    "url",
    metavar="URL",
    help="The aggregator, such as https://hookwise.example.com "
    "(default: $HOOKWISE_SYNC_URL, then url in [tool.hookwise.sync]).",
)
@click.option(
    "--token",
    metavar="TOKEN",
    help="A token from `hookwise serve token create` (default: $HOOKWISE_SYNC_TOKEN, "
    "then token_file in [tool.hookwise.sync]). Prefer the variable: a flag shows in `ps`.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the exact JSON the aggregator would receive (queued batches first), one "
    "request body a line; send nothing, queue nothing and leave the watermark where it is.",
)
@click.option(
    "--pull/--no-pull",
    default=True,
    show_default=True,
    help="After a successful push, bring the team's cross-project fix patterns into "
    "this repository's memory, for `hookwise suggest`.",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Send the days from DATE (YYYY-MM-DD) on, instead of from the last day sent.",
)
@json_option("Write what was sent as one JSON object.")
def sync_command(
    repo_path: Path,
    url: str | None,
    token: str | None,
    dry_run: bool,
    pull: bool,
    since: str | None,
    as_json: bool,
) -> None:
    """Push this repository's day summaries and fix patterns to the team's aggregator.

    \b
    hookwise sync --to https://hookwise.example.com   # token in $HOOKWISE_SYNC_TOKEN
    hookwise sync --dry-run                            # what would be sent

    Each day carries commits, authors as hashes (never a name or an email),
    merges and conflicted merges, branch switches, Conventional Commits
    compliance, sessions, check runs, and fix attempts and successes per
    rule and kind; fix patterns carry a finding's message with its names
    taken out, and code only with include_code = true in [tool.hookwise.sync].

    A sync sends the days from the last day it sent (that day again, as it
    may have grown; the aggregator replaces a day sent twice). When the
    aggregator cannot be reached, the batch is queued under .git/hookwise/sync
    and sent first next time (exit 1). A refused token or payload is never
    retried (exit 1). With schedule_minutes in [tool.hookwise.sync] and the
    URL and token in its environment, the worker syncs on its own.
    """
    from hookwise.sync.config import load_sync_config, resolve_target
    from hookwise.sync.identity import repo_name
    from hookwise.sync.push import payload, plan, push, sync_dir
    from hookwise.sync.queue import Queue

    paths = discover(repo_path)
    root = paths.worktree or paths.common_dir
    start = None
    if since is not None:
        with flag("--since"):
            start = _day(since)
    config = load_sync_config(root)
    url, token = resolve_target(root, url=url, token=token)
    if url is None:
        raise UsageError(
            "no aggregator to sync to: give --to URL, set HOOKWISE_SYNC_URL, or set url "
            "in [tool.hookwise.sync]"
        )
    repo = repo_name(root)
    if dry_run:
        queued = Queue(sync_dir(paths), url).batches()
        batches = plan(paths, repo, url, since=start, include_code=config.include_code)
        for body in [q.body for q in queued] + [payload(b) for b in batches]:
            click.echo(body.decode())
        if not queued and not batches:
            click.echo(f"hookwise: nothing to send for {repo}", err=True)
        return
    if token is None:
        raise UsageError(
            "no token to sync with: give --token, set HOOKWISE_SYNC_TOKEN, or set token_file "
            "in [tool.hookwise.sync]"
        )
    report = push(paths, repo, url, token, since=start, include_code=config.include_code)
    pulled = None
    if pull:
        from hookwise.sync.pull import pull as pull_patterns

        pulled = pull_patterns(root, url, token, repo=repo)
    if as_json:
        shape = report.to_json()
        if pulled is not None:
            shape["pull"] = _pull_json(pulled)
        click.echo(json.dumps(shape))
        return
    if report.from_queue:
        noun = "batch" if report.from_queue == 1 else "batches"
        click.echo(f"sent {report.from_queue} queued {noun} first")
    days = report.days
    span = f" ({days[0]} .. {days[-1]})" if days else ""
    click.echo(
        f"synced {len(days)} day{'s' if len(days) != 1 else ''}{span} and "
        f"{report.patterns} fix pattern{'s' if report.patterns != 1 else ''} of {repo} to {url}; "
        f"the next sync starts at {report.watermark or 'the first day'}"
    )
    if pulled is not None:
        click.echo(
            f"pulled {pulled.stored} fix pattern{'s' if pulled.stored != 1 else ''} from other "
            f"projects ({pulled.own} of this repository's own left out, {pulled.skipped} "
            f"not valid, {pulled.removed} no longer sent); `hookwise suggest` uses them after "
            "this repository's own memory"
        )


def _pull_json(pulled: PullReport) -> dict[str, object]:
    shape: dict[str, object] = dataclasses.asdict(pulled)
    when = pulled.aggregator_time
    shape["aggregator_time"] = None if when is None else when.isoformat()
    return shape


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a day; write it as YYYY-MM-DD") from None


COMMANDS = (sync_command,)
