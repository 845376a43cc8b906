"""The window and the filters of every metric: which days, whose commits, which branch.

A window is a range of calendar days, both ends included (``docs/metrics.md``,
"The window"). A period such as ``30d`` means the last N days with today
included: from local midnight N - 1 days ago. Messages speak of values
(the period, the start date); the CLI names its options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from hookwise.errors import UsageError

DEFAULT_SESSION_GAP_MINUTES = 120
# The earliest day a window may start: git's commit dates are seconds since
# the Unix epoch and cannot be earlier.
EARLIEST = date(1970, 1, 1)


@dataclass(frozen=True)
class Window:
    """Calendar days, both ends included; ``None`` means "as far as the data goes"."""

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Filters:
    window: Window = field(default_factory=Window)
    author: str | None = None  # part of the author's name or email, any case
    branch: str | None = None
    session_gap_minutes: int = DEFAULT_SESSION_GAP_MINUTES


SINCE = re.compile(r"^\s*(?P<n>\d+)\s*(?P<unit>d|days?|w|weeks?)?\s*$", re.IGNORECASE)
DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>m|min|h)?\s*$", re.IGNORECASE)


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01"
        ) from None


def parse_since(text: str, today: date) -> Window:
    """``30``, ``30d``, ``4w`` (the last N days, today included) or a date.

    The window starts no earlier than ``EARLIEST``: git dates no commit
    before it, so reaching further finds nothing more, and a count of days
    large enough to pass year 1 would not be a date at all.
    """
    m = SINCE.match(text)
    if m is None:
        if re.match(r"^\s*\d{4}-\d{2}-\d{2}\s*$", text):
            start = parse_date(text, "the first day")
            if start < EARLIEST:
                raise _too_far(text, today)
            return Window(start, None)
        raise UsageError(
            f"the period {text!r} is not a number of days or weeks; "
            "use e.g. 30d, 4w or a first day such as 2024-03-01"
        )
    days = int(m.group("n")) * (7 if (m.group("unit") or "d").lower().startswith("w") else 1)
    if days < 1:
        raise UsageError("the period must cover at least one day, e.g. 1d")
    if days - 1 > (today - EARLIEST).days:
        raise _too_far(text, today)
    return Window(today - timedelta(days=days - 1), None)


def _too_far(text: str, today: date) -> UsageError:
    most = (today - EARLIEST).days + 1
    return UsageError(
        f"{text.strip()!r} reaches back before {EARLIEST}, where git's commit dates begin; "
        f"a window may reach back at most to {EARLIEST} ({most:,} days, today included)"
    )


def resolve_window(since: str | None, start: str | None, end: str | None, today: date) -> Window:
    """The window from the command line's --since / --from / --to."""
    if since is not None and (start is not None or end is not None):
        raise UsageError("give either a period or a start and end date, not both")
    if since is not None:
        return parse_since(since, today)
    window = Window(
        parse_date(start, "the start date") if start is not None else None,
        parse_date(end, "the end date") if end is not None else None,
    )
    if window.start and window.end and window.start > window.end:
        raise UsageError(
            f"the start date {window.start} is after the end date {window.end}; swap them"
        )
    return window


def parse_gap(text: str) -> int:
    """A session gap such as ``2h``, ``90m`` or ``45`` (minutes) -> minutes."""
    m = DURATION.match(text)
    if m is None or float(m.group("n")) <= 0:
        raise UsageError(f"the session gap {text!r} is not a duration; use e.g. 2h or 90m")
    value = float(m.group("n"))
    return round(value * 60) if (m.group("unit") or "m").lower() == "h" else round(value)
