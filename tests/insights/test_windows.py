"""The window and filters: periods, dates and session gaps as a user writes them."""

from __future__ import annotations

from datetime import date

import pytest

from hookwise.errors import UsageError
from hookwise.insights.windows import Window, parse_gap, resolve_window

TODAY = date(2024, 3, 7)


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("30", Window(date(2024, 2, 7), None)),
        ("30d", Window(date(2024, 2, 7), None)),
        ("1d", Window(date(2024, 3, 7), None)),
        ("2w", Window(date(2024, 2, 23), None)),
        ("2024-01-01", Window(date(2024, 1, 1), None)),
    ],
)
def test_since(text: str, window: Window) -> None:
    assert resolve_window(text, None, None, TODAY) == window


def test_gap() -> None:
    assert (parse_gap("2h"), parse_gap("90m"), parse_gap("45"), parse_gap("1.5h")) == (
        120,
        90,
        45,
        90,
    )
    with pytest.raises(UsageError):
        parse_gap("0")


@pytest.mark.parametrize("text", ["800000d", "3000w", "99999999999999999999999d", "1969-12-31"])
def test_since_reaches_back_at_most_to_1970(text: str) -> None:
    with pytest.raises(UsageError, match=r"may reach back at most to 1970-01-01 \(19,790 days"):
        resolve_window(text, None, None, TODAY)
    assert resolve_window("19790d", None, None, TODAY) == Window(date(1970, 1, 1), None)
    assert resolve_window("1970-01-01", None, None, TODAY) == Window(date(1970, 1, 1), None)
