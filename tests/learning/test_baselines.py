from __future__ import annotations

import itertools
from typing import Any

from hookwise.learning.baselines import Baselines, chunks, commit_chunks


def row(rule: str, strategy: str, time: int, outcome: str = "success") -> dict[str, Any]:
    return {"tool": "ruff", "rule": rule, "strategy": strategy, "time": time, "outcome": outcome}


def test_the_majorities_count_successes_only_and_fill_from_the_global_ones() -> None:
    baselines = Baselines()
    baselines.learn(
        [
            row("A", "a1", 1),
            row("A", "a1", 2),
            row("A", "a2", 3),
            row("B", "b1", 4),
            row("B", "b1", 5),
            row("B", "b1", 6),
            row("A", "never", 7, "failure"),
        ]
    )
    assert baselines.global_top() == ["b1", "a1", "a2"]
    assert baselines.rule_top(row("A", "?", 9)) == ["a1", "a2", "b1"]
    assert baselines.rule_top(row("C", "?", 9)) == ["b1", "a1", "a2"]
    assert baselines.rule_top(row("A", "?", 9), top=1) == ["a1"]
    assert baselines.rule_top(row("B", "?", 9), top=5) == ["b1", "a1", "a2"]


def test_chunks_never_split_one_moment() -> None:
    rows = [row("A", "s", t) for t in (1, 2, 3, 3, 3, 3, 4, 5)]
    parts = chunks(rows, 2)
    # A cut at 4 would split time 3; 2 and 6 are as near, and the later one wins.
    assert [len(p) for p in parts] == [6, 2]
    assert list(itertools.chain(*parts)) == rows
    for part in chunks(rows, 4):
        assert not part or all(r["time"] != part[0]["time"] for r in rows if r not in part)


def test_more_chunks_than_rows_leaves_some_empty() -> None:
    rows = [row("A", "s", 1), row("A", "s", 2)]
    parts = chunks(rows, 5)
    assert len(parts) == 5 and list(itertools.chain(*parts)) == rows


def test_the_global_ranking_follows_what_was_learned_since() -> None:
    baselines = Baselines()
    baselines.learn([row("A", "a1", 1)])
    assert baselines.global_top() == ["a1"]
    baselines.learn([row("B", "b1", 2), row("B", "b1", 3)])
    assert baselines.global_top() == ["b1", "a1"]
    baselines.global_top().append("changed by a caller")
    assert baselines.global_top() == ["b1", "a1"]


def test_commit_chunks_hold_equal_numbers_of_commits_however_big() -> None:
    # Six commits, the third a mass commit of 100 fixes: by attempts it would be an
    # iteration alone; by commits each of three iterations holds two commits.
    times = [1, 2, *[3] * 100, 4, 5, 6]
    rows = [row("A", "s", t) for t in times]
    parts = commit_chunks(rows, 3)
    assert [sorted({r["time"] for r in p}) for p in parts] == [[1, 2], [3, 4], [5, 6]]
    assert list(itertools.chain(*parts)) == rows
    assert [len(p) for p in commit_chunks(rows[:2], 4)] == [1, 0, 1, 0]
