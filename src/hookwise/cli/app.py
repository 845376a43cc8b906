"""The ``hookwise`` click group (``hookwise.cli`` dispatches to it).

One module per command group (``COMMAND_MODULES``), each listing its
commands in ``COMMANDS``; they parse options, call a service function and
print its result through ``cli/views``. Shared options live in
``cli/options``; how a command ends (exit codes 0, 1, 2, 130, the crash
log) in ``cli/errors``. Building ``main`` adds the commands explicitly:
importing a command module registers nothing.
"""

from __future__ import annotations

import importlib
import sys

import click

from hookwise import __version__
from hookwise.cli.errors import EXIT_INTERRUPTED, HookwiseGroup

COMMAND_MODULES = (
    "hookwise.cli.install",
    "hookwise.cli.history",
    "hookwise.cli.worker",
    "hookwise.cli.insights",
    "hookwise.cli.search",
    "hookwise.cli.doctor",
    "hookwise.cli.fix",
    "hookwise.cli.check",
    "hookwise.cli.suggest",
    "hookwise.cli.eval",
    "hookwise.cli.mcp",
    "hookwise.cli.serve",
    "hookwise.cli.sync",
    "hookwise.cli.skills",
)


@click.group(cls=HookwiseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hookwise")
def main() -> None:
    """hookwise gives every git repository a memory.

    Hooks capture commits, merges, branch switches and rewrites into a store
    inside .git/hookwise; hookwise then answers questions about that history.
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)


def run() -> None:
    """Console-script entry point."""
    try:
        main(standalone_mode=True)
    # An interrupt inside a command ends in HookwiseGroup.invoke (130); this
    # catches one that lands outside click's own handling.
    except KeyboardInterrupt:
        click.echo("hookwise: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
