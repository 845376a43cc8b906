"""``hookwise doctor``: one line per check, and ``--repair``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hookwise.cli.options import json_option, repo_option
from hookwise.errors import HookwiseError
from hookwise.git.repo import discover


@click.command()
@repo_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild what git can rebuild; a damaged table is moved aside, never deleted.",
)
@json_option()
def doctor(repo_path: Path, repair: bool, as_json: bool) -> None:
    """Check the store, its tables, the spool, the hooks and the worker; say what to do.

    Exits 1 while any problem remains. With --repair it reads the history
    again into tables it cannot read (setting the damaged copy aside in
    .git/hookwise/damaged/), stores waiting events, reinstalls hooks that
    were installed before, and registers the store with the worker. Rows
    that exist nowhere but the store (fix memory) are never deleted.
    """
    from hookwise.cli.views.doctor import doctor_lines
    from hookwise.doctor.run import doctor as service

    report = service(discover(repo_path), repair=repair)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for line in doctor_lines(report):
            click.echo(line)
    if report.problems:
        if as_json:
            raise click.exceptions.Exit(1)
        n = len(report.problems)
        more = "" if repair else "; `hookwise doctor --repair` mends what it can"
        raise HookwiseError(f"{n} problem{'s' if n != 1 else ''} found{more}")


COMMANDS = (doctor,)
