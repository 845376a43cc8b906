"""Click-through: the boost of a result opened after a similar query."""

from __future__ import annotations

from hookwise.search.clicks import CLICK_MAX_BOOST, Click, click_boost

DAY = 86400


def test_click_boost_counts_similar_queries_and_is_bounded() -> None:
    now = 1_000_000_000.0
    clicks = [Click("colour output", "a" * 40, int(now))]
    assert click_boost("Colour output?", clicks, {}, now=now)["a" * 40] > 0  # same query
    assert click_boost("terminal colours", clicks, {"colour output": 0.9}, now=now)
    assert click_boost("cache crash", clicks, {"colour output": 0.2}, now=now) == {}
    many = [Click("colour output", "a" * 40, int(now))] * 50
    assert 0 < click_boost("colour output", many, {}, now=now)["a" * 40] <= CLICK_MAX_BOOST
    old = [Click("colour output", "a" * 40, int(now - 365 * DAY))]
    assert (
        click_boost("colour output", old, {}, now=now)["a" * 40]
        < click_boost("colour output", clicks, {}, now=now)["a" * 40] / 4
    )
