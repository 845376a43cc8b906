"""``hookwise suggest``: what fixed findings like these before (docs/suggest.md).

Asks the warm worker over its socket; without one it starts one (for next
time) and answers in this process, which reads and calibrates fix memory
itself (LanceDB loads here, and the embedder).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hookwise.cli.errors import EXIT_ERROR
from hookwise.cli.options import json_option, repo_option
from hookwise.errors import StoreMissingError
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.checks.findings import Finding
    from hookwise.fixes.suggest import SuggestResult

#: Lines of an example diff shown under a finding.
DIFF_LINES = 8
#: Strategies shown per finding (``--json`` gives ``--limit``).
SHOWN = 3


def _ask(paths: RepoPaths, findings: list[Finding], limit: int) -> SuggestResult:
    """The worker's answer, or this process's when no worker answers."""
    from hookwise.capture.ask import ask
    from hookwise.fixes.suggest import SuggestResult

    args = {"findings": [f.to_json() for f in findings], "limit": limit}
    answer = ask("suggest", paths.hookwise_dir, args, timeout=60.0)
    if isinstance(answer, dict):
        return SuggestResult.from_json(answer)
    from hookwise.fixes.suggest import suggest_in_process
    from hookwise.store.db import Store

    return suggest_in_process(Store.open(paths, create=False), findings, limit=limit)


def _findings(source: str | None, paths: RepoPaths) -> tuple[list[Finding], list[Any] | None]:
    """The findings on stdin (``-``, or a pipe) as read and as given, else the last check run's."""
    from hookwise.fixes.suggest import last_run_findings, parse_findings

    if source == "-" or (source is None and not sys.stdin.isatty()):
        findings, shapes, bad = parse_findings(sys.stdin.buffer.read())
        if bad:
            for line in bad:
                click.echo(f"hookwise: {line}", err=True)
            click.echo("hookwise: nothing suggested; correct the lines and try again", err=True)
            click.get_current_context().exit(EXIT_ERROR)
        if findings or source == "-":
            return findings, shapes
    from hookwise.store.db import Store

    return last_run_findings(Store.open(paths, create=False)), None


@click.command()
@click.argument("source", metavar="[-]", required=False, type=click.Choice(["-"]))
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="Strategies per finding (the terminal shows at most 3).",
)
@json_option('Write one {"finding", "suggestions"} JSON line per finding, in order.')
@repo_option
def suggest(source: str | None, limit: int, as_json: bool, repo_path: Path) -> None:
    """Show what fixed findings like these before.

    Reads findings as JSON lines on stdin ({"tool", "rule", "message",
    "path", "line", "snippet"?, "language"?}; give - or pipe them in), or
    takes the findings of the last `hookwise check`. Under each finding:
    the strategies that worked for similar ones, best first, with how
    confident hookwise is, how often each worked and on how many attempts,
    and the closest past fix as a short diff.
    """
    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    findings, shapes = _findings(source, paths)
    result = _ask(paths, findings, limit) if findings else None
    for notice in result.notices if result else ():
        click.echo(f"hookwise: {notice}", err=True)
    answers = result.results if result else ()
    if as_json:
        for i, answer in enumerate(answers):
            shape = answer.to_json()
            if shapes is not None:
                shape["finding"] = shapes[i]  # echoed exactly as given
            click.echo(json.dumps(shape, ensure_ascii=False))
        return
    from hookwise.cli.views.suggestions import suggestion_lines

    lines = suggestion_lines(answers, shown=SHOWN, diff_lines=DIFF_LINES)
    if not lines:
        click.echo("no suggestions: fix memory knows nothing like these findings yet", err=True)
    for line in lines:
        click.echo(line, color=sys.stdout.isatty() or None)


COMMANDS = (suggest,)
