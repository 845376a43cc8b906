"""Counting over Arrow columns: the trend of daily counts."""

from __future__ import annotations

import numpy as np
import pytest

from hookwise.insights.counting import trend


@pytest.mark.parametrize(
    ("daily", "expected"),
    [
        ([1], (None, None)),
        ([1, 3], (2.0, None)),
        ([1, 2, 3, 4], (1.0, "rising")),  # a perfect line
        ([4, 3, 2, 1], (-1.0, "falling")),
        ([2, 2, 2, 2], (0.0, "steady")),
        ([0, 5, 0, 5, 0, 6], (0.5714, "steady")),  # noise, not a rise
        ([0, 1, 1, 2, 3, 3, 4, 5, 5, 6], (0.6545, "rising")),
    ],
)
def test_trend(daily: list[int], expected: tuple[float | None, str | None]) -> None:

    assert trend(np.array(daily, dtype=np.int64)) == expected
