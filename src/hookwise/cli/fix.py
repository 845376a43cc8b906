"""``hookwise fix``: record, list, confirm, pending, export, import and learn fix memory
(docs/fixes.md)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli.errors import EXIT_ERROR
from hookwise.cli.options import json_option, repo_option
from hookwise.cli.views.figures import count
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.fixes.learn import LearnOptions
    from hookwise.fixes.record import RecordResult
    from hookwise.store.db import Store

#: The checkers ``fix learn`` knows (``hookwise.fixes.recipes.RECIPES``).
LEARN_TOOLS = ("ruff", "flake8", "pycodestyle", "eslint")


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


def _embed_later(store: Store, result: RecordResult) -> None:
    if result.recorded:
        _wake_for(store.paths)


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
    store = _open(repo_path, write=True)
    result = service(store, data)
    _embed_later(store, result)
    _report(result, "recorded")


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


@fix.command("pending")
@json_option("Write a JSON array, each entry with the command that confirms it.")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="List suggestions shown this many days ago or more that still have no verdict.",
)
@repo_option
def pending(as_json: bool, days: int, repo_path: Path) -> None:
    """List suggestions shown by `hookwise check` that need your verdict.

    A suggestion shown under a finding is settled by the next check after
    a commit that touches the finding: taken (the finding went with the
    strategy shown), not taken (another fix), or applied and still
    failing. Listed here is what no check can settle: the finding's lines
    were edited another way, it went without a fix hookwise could see, or
    it was shown --days ago with no verdict. Confirm each with `hookwise fix
    confirm ID --outcome success` (it was what fixed the finding) or
    `--outcome failure`.
    """
    from hookwise.learning.pending import needs_human

    waiting = needs_human(_open(repo_path, write=False), days=days)
    if as_json:
        shapes = [
            {
                **w.to_json(),
                "confirm": f"hookwise fix confirm {w.attempt.id[:12]} --outcome success",
            }
            for w in waiting
        ]
        click.echo(json.dumps(shapes, ensure_ascii=False, indent=2))
        return
    if not waiting:
        click.echo("nothing waits for a verdict", err=True)
        return
    from rich.console import Console

    from hookwise.cli.views.fixes import pending_table

    Console().print(pending_table(waiting))
    click.echo(
        "confirm each: hookwise fix confirm ID --outcome success (it fixed the finding) "
        "or --outcome failure",
        err=True,
    )


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
    store = _open(repo_path, write=True)
    result = import_lines(store, data)
    _embed_later(store, result)
    _report(result, "imported")


@fix.command("learn")
@click.option(
    "--tool",
    "tools",
    multiple=True,
    type=click.Choice(LEARN_TOOLS),
    help="A checker to learn with (repeat for several; default: ruff).",
)
@click.option(
    "--select",
    "selections",
    multiple=True,
    metavar="[TOOL=]RULES",
    help="Rules to learn instead of the tool's default set, comma-separated "
    "(ruff: E4,E7,E9,F,W605,B,UP,SIM,I); TOOL= gives them to one tool only.",
)
@click.option(
    "--since",
    type=click.DateTime(),
    metavar="DATE",
    help="Only commits made on or after this date (your time zone), e.g. 2024-01-31.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Checker runs at a time (default: one per core).",
)
@click.option(
    "--background", is_flag=True, help="Hand the work to the background worker and return."
)
@repo_option
def learn(
    tools: tuple[str, ...],
    selections: tuple[str, ...],
    since: datetime | None,
    jobs: int | None,
    background: bool,
    repo_path: Path,
) -> None:
    """Learn fixes from this repository's history, so suggestions start full.

    Each checker runs on the files every commit changed, before and after
    it; the findings a commit made disappear are recorded as its fixes
    (outcome success, source auto, the commit's diff and time). Runs niced,
    with a progress bar; an interrupted or repeated run does only the
    commits not done yet.
    """
    from hookwise.fixes.learn import LearnOptions

    chosen = tools or ("ruff",)
    options = LearnOptions(
        tools=chosen,
        select=_selections(selections, chosen),
        since=None if since is None else int(since.timestamp()),
        jobs=jobs,
    )
    paths = discover(repo_path)
    if background:
        learn_in_background(paths, options)
        return
    run_learning(paths, options)


def _selections(given: Sequence[str], tools: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``--select`` values as tool -> rules: ``TOOL=RULES`` for one tool, ``RULES`` for all."""
    select: dict[str, tuple[str, ...]] = {}
    for value in given:
        tool, _, rules = value.rpartition("=")
        codes = tuple(code.strip() for code in rules.split(",") if code.strip())
        if not codes or (tool and tool not in tools):
            learned = ", ".join(tools)
            wanted = f"one of the tools learned ({learned})" if codes else "rules such as E4,F"
            raise click.BadParameter(f"{value!r}: name {wanted}", param_hint="'--select'")
        for name in [tool] if tool else tools:
            select[name] = codes
    return select


def run_learning(paths: RepoPaths, options: LearnOptions) -> None:
    """Learn in this process, niced, with a progress bar on a terminal and a summary line."""
    from hookwise.fixes.learn import NICENESS
    from hookwise.fixes.learn import learn as service

    if hasattr(os, "nice"):
        os.nice(NICENESS)
    if sys.stderr.isatty():
        from hookwise.cli.views.progress import progress_bar

        with progress_bar(stderr=True) as bar:
            task = bar.add_task("learning from history", total=None)

            def progress(advance: int, total: int) -> None:
                bar.update(task, total=total, advance=advance)

            result = service(paths, options, progress=progress)
    else:
        result = service(paths, options)
    for tool in result.missing:
        click.echo(f"hookwise: {tool} is not installed; learned without it", err=True)
    known = result.found - result.attempts
    again = f" ({known} already known)" if known else ""
    rate = f", {result.commits_per_second:,.0f} commits/s" if result.commits >= 100 else ""
    learned = [t for t in options.tools if t not in result.missing]
    click.echo(
        f"learned {result.attempts:,} fix{'' if result.attempts == 1 else 'es'}{again} from "
        f"{count(result.commits, 'commit')} with {', '.join(learned)} "
        f"in {result.seconds:.1f}s{rate}"
    )
    if result.attempts:
        _wake_for(paths)


def _wake_for(paths: RepoPaths) -> None:
    """Wake the worker for new attempts: it embeds them, so suggest compares them by meaning,
    and writes the rule prior ``hookwise check`` reads when no worker answers in time.

    Without it attempts recorded by an agent or learned from history stay
    unembedded until the next hook starts a worker.
    """
    from hookwise.capture.settings import Settings
    from hookwise.capture.wake import ensure_worker

    if not Settings().no_worker:
        ensure_worker(paths.hookwise_dir)


def learn_in_background(paths: RepoPaths, options: LearnOptions) -> None:
    """Leave a request for the worker, and make sure one runs to pick it up."""
    from hookwise.capture.wake import ensure_worker
    from hookwise.fixes.learn import request

    if not paths.store_dir.is_dir():
        from hookwise.store.db import Store

        Store.open(paths)  # the worker works only for repositories with a store
    request(paths, options)
    ensure_worker(paths.hookwise_dir)
    click.echo(
        "learning from history in the background; `hookwise fix list` shows the fixes found",
        err=True,
    )


COMMANDS = (fix,)
