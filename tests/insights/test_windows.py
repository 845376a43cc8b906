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
