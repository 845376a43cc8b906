"""How a hookwise command ends: the exit-code contract of DESIGN §5, in one place.

For a git hook the exit code is the API, so it is decided here by exception
class, never by a message:

    0    success
    1    a handled error (``HookwiseError``): one line that says what to do
    2    a usage error: hookwise's own ``UsageError``, or click's (an unknown
         option, a missing argument, a value out of range), each one line
    130  interrupted (Ctrl-C), in a command or while click parses
    1    anything unexpected: one line naming the crash log that holds the
         full traceback, so a user can report it without re-running
"""

from __future__ import annotations

import sys
import time
import traceback
from typing import Any

import click

from hookwise.errors import HookwiseError, UsageError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
CRASH_LOG = "crash.log"


def exit_code(exc: BaseException) -> int:
    """Print the one line ``exc`` deserves on stderr and return the exit code."""
    if isinstance(exc, UsageError):
        click.echo(f"hookwise: {exc}", err=True)
        return EXIT_USAGE
    if isinstance(exc, HookwiseError):
        click.echo(f"hookwise: {exc}", err=True)
        return EXIT_ERROR
    if isinstance(exc, KeyboardInterrupt):
        click.echo("hookwise: interrupted", err=True)
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return EXIT_ERROR  # the reader went away (`| head`): nobody is left to tell
    click.echo(
        f"hookwise: unexpected error: {type(exc).__name__}: {exc} ({write_crash_log(exc)})",
        err=True,
    )
    return EXIT_ERROR


def write_crash_log(exc: BaseException) -> str:
    """Append ``exc``'s traceback to the crash log; say where it went (or why it could not)."""
    from hookwise.capture.locations import state_dir

    path = state_dir() / CRASH_LOG
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {stamp} hookwise {' '.join(sys.argv[1:])}\n")
            fh.write("".join(traceback.format_exception(exc)) + "\n")
    except OSError as error:
        return f"its traceback could not be written to {path}: {error.strerror}"
    return f"full traceback in {path}; please report it"


def usage_line(exc: click.UsageError) -> str:
    """click's four-line usage error as one: what is wrong, and where the help is."""
    ctx = exc.ctx
    command = ctx.command_path if ctx is not None else "hookwise"
    root = ctx.find_root().command_path if ctx is not None else "hookwise"
    where = command.removeprefix(root).strip()
    message = " ".join(exc.format_message().split()).rstrip(".")  # click may wrap a choice list
    return f"hookwise: {where + ': ' if where else ''}{message} (see `{command} -h` for help)"


class HookwiseGroup(click.Group):
    """The ``hookwise`` group: every subcommand ends through ``exit_code``."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """As click's, but its usage errors are one line (exit 2) and Ctrl-C is 130."""
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.UsageError as exc:
            click.echo(usage_line(exc), err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:  # Ctrl-C (or end of input) while click parses
            click.echo("hookwise: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise  # click's own endings, usage errors (exit 2) included
        except (Exception, KeyboardInterrupt) as exc:
            ctx.exit(exit_code(exc))
