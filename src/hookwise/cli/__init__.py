"""The ``hookwise`` command: a thin click layer over the capability packages.

Each submodule defines the commands of one area and registers them on
``main``; they only parse options, call a service and print its result.
Exit codes (DESIGN §5): 0 success, 1 handled error, 2 usage error,
130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from hookwise import __version__
from hookwise.errors import HookwiseError

# Modules that add commands to ``main`` (imported at the end of this file).
COMMAND_MODULES = (
    "hookwise.cli.capture",
    "hookwise.cli.install",
    "hookwise.cli.insights",
    "hookwise.cli.search",
)


class HookwiseGroup(click.Group):
    """Turns hookwise errors into one line and exit 1; anything else into one line + log."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HookwiseError as exc:
            click.echo(f"hookwise: {exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("hookwise: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(1)
        except Exception as exc:
            path = _write_crash_log()
            click.echo(
                f"hookwise: unexpected error: {type(exc).__name__}: {exc} "
                f"(full traceback in {path}; please report it)",
                err=True,
            )
            ctx.exit(1)


def _write_crash_log() -> str:
    from hookwise.capture.locations import state_dir

    try:
        directory = state_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "crash.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc() + "\n")
        return str(path)
    except OSError:
        return "<unwritable>"


repo_option = click.option(
    "--repo",
    "repo_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The repository (any folder inside it).",
)


@click.group(cls=HookwiseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hookwise")
def main() -> None:
    """hookwise gives every git repository a memory.

    Hooks capture commits, merges, branch switches and rewrites into a store
    inside .git/hookwise; hookwise then answers questions about that history.
    """


def run() -> None:
    """Console-script entry point."""
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("hookwise: interrupted", err=True)
        sys.exit(130)


for _module in COMMAND_MODULES:
    importlib.import_module(_module)
