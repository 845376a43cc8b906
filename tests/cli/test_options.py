"""Shared options: the window of --since/--from/--to, and flags named at the edge."""

from __future__ import annotations

from datetime import date

import pytest

from hookwise.cli.options import flag, window
from hookwise.errors import UsageError
from hookwise.insights.windows import Window, parse_gap

THURSDAY = date(2024, 3, 7)


def test_the_window_of_each_option() -> None:
    assert window("2d", None, None, THURSDAY) == Window(date(2024, 3, 6), None)
    assert window("2024-03-01", None, None, THURSDAY) == Window(date(2024, 3, 1), None)
    assert window(None, "2024-03-01", "2024-03-04", THURSDAY) == Window(
        date(2024, 3, 1), date(2024, 3, 4)
    )
    assert window(None, None, None, THURSDAY) == Window()


@pytest.mark.parametrize(
    ("since", "start", "end", "message"),
    [
        ("soon", None, None, "--since: the period 'soon' is not a number of days or weeks"),
        ("2024-02-30", None, None, "--since: the first day '2024-02-30' is not a date"),
        (None, "March", None, "--from: the start date 'March' is not a date"),
        (None, "2024-03-01", "2024-13-01", "--to: the end date '2024-13-01' is not a date"),
        ("1w", "2024-03-01", None, "use either --since or --from/--to, not both"),
        (None, "2024-03-07", "2024-03-01", "the start date 2024-03-07 is after the end date"),
    ],
)
def test_a_bad_value_is_named_by_its_flag(
    since: str | None, start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        window(since, start, end, THURSDAY)
    assert str(caught.value).startswith(message)


def test_flag_names_only_usage_errors() -> None:
    gap = r"^--session-gap: the session gap 'long' is not"
    with pytest.raises(UsageError, match=gap), flag("--session-gap"):
        parse_gap("long")
    with pytest.raises(ValueError, match=r"^other$"), flag("--since"):
        raise ValueError("other")
