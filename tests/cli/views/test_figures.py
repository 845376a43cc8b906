"""Small figures in text: sparklines, byte sizes, counts."""

from __future__ import annotations

from hookwise.cli.views.figures import count, human_bytes, number, percent, sparkline


def test_sparkline() -> None:
    assert sparkline([0, 1, 2, 4]) == " ▂▄█"  # nothing, and the smallest non-zero, differ
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""
    # 100 days in 10 characters: buckets of 10 days, summed.
    assert len(sparkline(list(range(100)), width=10)) == 10
    assert sparkline([1] * 50 + [0] * 50, width=10) == "█" * 5 + " " * 5


def test_human_bytes() -> None:
    assert human_bytes(0) == "0 B"
    assert human_bytes(1023) == "1023 B"
    assert human_bytes(1536) == "1.5 KB"
    assert human_bytes(5 * 1024**3 + 1) == "5.0 GB"
    assert human_bytes(3 * 1024**4) == "3072.0 GB"  # no TB: a store that large is a bug report


def test_counts_and_missing_numbers() -> None:
    assert (count(1, "commit"), count(2048, "commit"), count(0, "merge")) == (
        "1 commit",
        "2,048 commits",
        "0 merges",
    )
    assert (number(None), number(1234.5), number(0.12345, 3)) == ("n/a", "1,234.50", "0.123")
    assert (percent(None), percent(0.375)) == ("n/a", "38%")
