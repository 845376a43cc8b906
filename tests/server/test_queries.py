"""The arithmetic behind the API's answers."""

from __future__ import annotations

import pytest

from hookwise.server.queries import slope


def test_slope_is_least_squares_per_step() -> None:
    assert slope([1, 2, 3, 4]) == pytest.approx(1.0)
    assert slope([5, 5, 5]) == 0.0
    assert slope([7]) == 0.0 and slope([]) == 0.0
    assert slope([0, 0, 0, 0, 0, 0, 14]) == pytest.approx(1.5)  # one busy day at the end
