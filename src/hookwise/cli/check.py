"""``hookwise check``: run a checker as it runs alone, and remember its findings (docs/checks.md).

The exit code is the checker's (DESIGN §7): hookwise's own trouble after
the checker ran is one line on stderr and changes nothing; a checker that
is not installed is 127, as a shell says it; Ctrl-C is 130.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hookwise.cli.errors import write_crash_log
from hookwise.cli.options import flag, repo_option
from hookwise.cli.views.figures import count
from hookwise.errors import CheckerNotFoundError, HookwiseError


@click.command(
    "check",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--format",
    "format_name",
    metavar="NAME",
    help="Read the output as this format (ruff, mypy, pytest, generic ...), "
    "not the one the command suggests.",
)
@repo_option
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
def check(format_name: str | None, repo_path: Path, command: tuple[str, ...]) -> None:
    """Run a checker and keep its findings: hookwise check -- ruff check .

    The checker runs in the repository folder with its output passed
    through unchanged, and its exit code is this command's. Its findings
    are then stored with the run; anything hookwise cannot store is one
    line on stderr and leaves the exit code alone.
    """
    from hookwise.checks.process import EXIT_NOT_FOUND
    from hookwise.checks.run import check as service

    ctx = click.get_current_context()
    try:
        with flag("--format"):
            result = service(
                command,
                cwd=repo_path,
                stdout=sys.stdout.buffer,
                stderr=sys.stderr.buffer,
                format_name=format_name,
            )
    except CheckerNotFoundError as exc:
        click.echo(f"hookwise: {exc}", err=True)
        ctx.exit(EXIT_NOT_FOUND)
    problem = result.problem
    if isinstance(problem, HookwiseError):
        click.echo(f"hookwise: findings of {result.tool} were not stored: {problem}", err=True)
    elif problem is not None:
        where = write_crash_log(problem)
        click.echo(
            f"hookwise: findings of {result.tool} were not stored: unexpected error: "
            f"{type(problem).__name__}: {problem} ({where})",
            err=True,
        )
    elif result.stored:
        click.echo(
            f"hookwise: stored {count(result.stored, 'finding')} from {result.tool}", err=True
        )
    ctx.exit(result.exit_code)


COMMANDS = [check]
