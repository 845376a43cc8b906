"""``hookwise fix``: record, list, confirm, export and import fix memory (docs/fixes.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli.errors import EXIT_ERROR
from hookwise.cli.options import json_option, repo_option
from hookwise.cli.views.figures import count
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.fixes.record import RecordResult
    from hookwise.store.db import Store


def _open(repo_path: Path, *, write: bool) -> Store:
    from hookwise.store.db import Store

    paths = discover(repo_path)
    return Store.open(paths) if write else Store.open(paths, create=False)


def _read_input(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    return Path(source).read_bytes()


def _report(result: RecordResult, what: str) -> None:
    """The summary on stderr; each bad line on a line of its own, then exit 1."""
    again = f", {result.known} already stored" if result.known else ""
    click.echo(f"{what} {count(result.recorded, 'fix attempt')}{again}", err=True)
    if result.bad:
        for bad in result.bad:
            click.echo(f"hookwise: {bad}", err=True)
        lines = count(len(result.bad), "line")
        click.echo(f"hookwise: {lines} not stored; correct them and run it again", err=True)
        click.get_current_context().exit(EXIT_ERROR)


input_argument = click.argument(
    "source",
    metavar="FILE|-",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True, exists=True),
)


@click.group()
def fix() -> None:
    """Fix memory: what fixed which finding, and whether it worked.

    Attempts exist nowhere but in this repository's store: export them to
    keep or move them, and import them elsewhere.
    """


@fix.command("record")
@input_argument
@repo_option
def record(source: str, repo_path: Path) -> None:
    """Record fix attempts from JSON lines (a file, or - for stdin).

    One object per line: {"finding": {"tool", "rule", "message", "path",
    "line", ...}, "strategy": "...", "outcome": "success"|"failure"} with
    optional "kind", "time" (ISO-8601), "context", "diff", "source", "commit".
    Bad lines are named by number and not stored; the others are.
    """
    from hookwise.fixes.record import record as service

    data = _read_input(source)
    _report(service(_open(repo_path, write=True), data), "recorded")


@fix.command("list")
@json_option("Write a JSON array of attempts.")
@click.option("--tool", help="Only attempts at findings of this tool.")
@click.option("--rule", help="Only attempts at findings of this rule.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many, newest first.")
@repo_option
def list_(
    as_json: bool, tool: str | None, rule: str | None, limit: int | None, repo_path: Path
) -> None:
    """List fix attempts, newest first, with their confirmed outcome."""
    from hookwise.fixes.memory import list_attempts

    attempts = list_attempts(_open(repo_path, write=False), tool=tool, rule=rule, limit=limit)
    if as_json:
        click.echo(json.dumps([a.to_json() for a in attempts], ensure_ascii=False, indent=2))
        return
    if not attempts:
        click.echo("no fix attempts recorded yet", err=True)
        return
    from rich.console import Console

    from hookwise.cli.views.fixes import attempts_table

    Console().print(attempts_table(attempts))


@fix.command("confirm")
@click.argument("attempt_id", metavar="ID")
@click.option(
    "--outcome", type=click.Choice(["success", "failure"]), required=True, help="How it went."
)
@repo_option
def confirm(attempt_id: str, outcome: str, repo_path: Path) -> None:
    """Confirm how a fix attempt turned out (ID, or its start, as `fix list` shows it)."""
    from hookwise.fixes.memory import confirm as service

    done = service(_open(repo_path, write=True), attempt_id, outcome)
    was = "" if done.before == done.outcome else f" (was {done.before})"
    click.echo(f"fix {done.attempt.id[:12]}: {done.outcome}{was}")


@fix.command("export")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@repo_option
def export(output: Path | None, repo_path: Path) -> None:
    """Write fix memory (every attempt and confirmation) as JSON lines."""
    from hookwise.fixes.memory import export as service

    store = _open(repo_path, write=False)
    if output is None:
        service(store, sys.stdout)
        return
    tmp = output.with_name(output.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        rows = service(store, fh)
    tmp.replace(output)
    click.echo(f"wrote {count(rows, 'fix attempt')} to {output}", err=True)


@fix.command("import")
@input_argument
@repo_option
def import_(source: str, repo_path: Path) -> None:
    """Import fix memory written by `hookwise fix export` (ids already stored are skipped)."""
    from hookwise.fixes.memory import import_lines

    data = _read_input(source)
    _report(import_lines(_open(repo_path, write=True), data), "imported")


COMMANDS = (fix,)
