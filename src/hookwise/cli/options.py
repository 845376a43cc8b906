"""Options that several commands share, and the edge where a value gets its flag.

Parsers below ``cli/`` speak of values ("the period 'soon' is not a number of
days"), because an MCP or HTTP caller passes no flags; ``flag`` puts the
option's name in front of their message here, where the user typed it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hookwise.errors import UsageError

if TYPE_CHECKING:
    from hookwise.insights.windows import Window

F = TypeVar("F", bound=Callable[..., Any])

repo_option = click.option(
    "--repo",
    "repo_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The repository (any folder inside it).",
)


def json_option(help: str = "Write one JSON object.") -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help)


def window_options(command: F) -> F:
    """``--since`` / ``--from`` / ``--to``: the days a command looks at."""
    for option in reversed(
        [
            click.option(
                "--since",
                metavar="30d|4w|DATE",
                help="The last N days (or weeks), today included, or from a date on.",
            ),
            click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD."),
            click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (included)."),
        ]
    ):
        command = option(command)
    return command


@contextmanager
def flag(name: str) -> Iterator[None]:
    """A ``UsageError`` raised inside names the option whose value it is about."""
    try:
        yield
    except UsageError as exc:
        raise UsageError(f"{name}: {exc}") from exc


def window(since: str | None, start: str | None, end: str | None, today: date) -> Window:
    """The window of ``--since`` / ``--from`` / ``--to``, each bad value named by its flag."""
    from hookwise.insights.windows import parse_date, parse_since, resolve_window

    if since is not None:
        if start is not None or end is not None:
            raise UsageError("use either --since or --from/--to, not both")
        with flag("--since"):
            return parse_since(since, today)
    with flag("--from"):
        if start is not None:
            parse_date(start, "the start date")
    with flag("--to"):
        if end is not None:
            parse_date(end, "the end date")
    return resolve_window(None, start, end, today)  # both dates are valid: checks their order


def since_epoch(since: str) -> int:
    """``--since`` as ``30d``, ``4w`` or ``YYYY-MM-DD`` -> the start of that day, local time."""
    from hookwise.insights.windows import parse_since

    with flag("--since"):
        start = parse_since(since, date.today()).start
    assert start is not None
    return int(datetime.combine(start, time.min).astimezone().timestamp())
