"""``hookwise check``: run a checker as it runs alone, and learn from its findings (docs/checks.md).

The console script runs ``hookwise check ...`` through the light entry
``hookwise.checks.entry`` without loading click; this command is what
``hookwise check -h`` shows and the CLI reference documents, and it calls
the same entry, so both ways behave alike. The exit code is the
checker's (DESIGN §7): hookwise's own trouble after the checker ran is one
line on stderr and changes nothing; a checker that is not installed is
127, as a shell says it; Ctrl-C is 130.
"""

from __future__ import annotations

from pathlib import Path

import click

from hookwise.cli.options import repo_option


@click.command(
    "check",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--format",
    "format_name",
    metavar="NAME",
    help="Read the output as this format (ruff, mypy, pyright, flake8, pycodestyle, pylint, "
    "pytest, eslint, generic), not the one the command suggests.",
)
@repo_option
@click.option(
    "--if-configured",
    is_flag=True,
    help="Without a command: do nothing (exit 0) when no checks are configured. "
    "The pre-commit hook of `hookwise install --check` runs this.",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def check(
    format_name: str | None, repo_path: Path, if_configured: bool, command: tuple[str, ...]
) -> None:
    """Run a checker and show what fixed its findings before: hookwise check -- ruff check .

    The checker runs in the repository folder with its output passed
    through unchanged, and its exit code is this command's. Its run and
    findings are handed to the background worker, which stores them; when
    the checker failed, what fixed the same findings before is printed
    under them on stderr (at most 3 strategies each, with one past diff).
    Anything hookwise cannot do is one line on stderr and leaves the exit
    code alone.

    Without a command, the checks configured in .hookwise.toml, or else
    under [tool.hookwise] in pyproject.toml, run in order, e.g.:

    \b
        [tool.hookwise]
        checks = [
          { name = "ruff", command = ["ruff", "check", "."] },
          { name = "mypy", command = ["mypy", "src"], format = "mypy" },
        ]

    All of them run; the exit code is the first non-zero one.
    """
    from hookwise.checks.entry import Request, run

    request = Request(command, format_name, str(repo_path), if_configured)
    click.get_current_context().exit(run(request))


COMMANDS = [check]
