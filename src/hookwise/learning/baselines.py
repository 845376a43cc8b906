"""The baselines every recommender is judged against, and the iterations of a replay.

Shared by ``hookwise eval`` and ``bench/replay.py``, on attempts as JSON
objects (``FixAttempt.to_json``, or a line of ``hookwise fix export``):

- ``global majority``: the most frequent successful strategies overall;
- ``rule majority``: the most frequent for the same tool and rule (then
  the global ones), the baseline the recommender must beat.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

Row = TypeVar("Row", bound=Mapping[str, Any])
#: How many strategies a baseline names unless asked for more (its first three
#: are the same whatever the number: ``Counter.most_common`` is a stable sort).
BASELINE_TOP = 3


@dataclass
class Baselines:
    """The successful strategies counted so far, overall and per (tool, rule)."""

    overall: Counter[str] = field(default_factory=Counter)
    by_rule: dict[tuple[str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    # The global ranking until the next ``learn``: asked for every finding, it sorted
    # pytest's 2,000-odd strategies 13,000 times, 6 of a replay's 25 seconds.
    ranked: dict[int, list[str]] = field(default_factory=dict)

    def learn(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.ranked.clear()
        for row in rows:
            if row["outcome"] == "success":
                self.overall[row["strategy"]] += 1
                self.by_rule[(row["tool"], row["rule"])][row["strategy"]] += 1

    def global_top(self, top: int = BASELINE_TOP) -> list[str]:
        if top not in self.ranked:
            self.ranked[top] = [strategy for strategy, _ in self.overall.most_common(top)]
        return list(self.ranked[top])

    def rule_top(self, row: Mapping[str, Any], top: int = BASELINE_TOP) -> list[str]:
        counted = self.by_rule.get((row["tool"], row["rule"]), Counter())
        ranked = [s for s, _ in counted.most_common(top)]
        rest = [s for s in self.global_top(top) if s not in ranked]
        return ranked + rest[: top - len(ranked)]


def chunks(rows: Sequence[Row], count: int) -> list[list[Row]]:
    """``count`` chunks of about equal size, in time order, never splitting one moment.

    The fixes of one commit share its time; split across two iterations, the
    later half would be suggested from its own commit's other half, which no
    user ever has (one commit brought 1,647 of pytest's mined fixes). With
    fewer rows than chunks some chunks are empty.
    """
    size = len(rows) / count
    cuts = [0]
    for i in range(1, count):
        want = max(round(i * size), cuts[-1])
        later = earlier = want
        while 0 < later < len(rows) and rows[later]["time"] == rows[later - 1]["time"]:
            later += 1
        while cuts[-1] < earlier < len(rows) and rows[earlier]["time"] == rows[earlier - 1]["time"]:
            earlier -= 1
        nearer = earlier if earlier > cuts[-1] and want - earlier < later - want else later
        cuts.append(min(nearer, len(rows)))
    cuts.append(len(rows))
    return [list(rows[a:b]) for a, b in itertools.pairwise(cuts)]


def commit_chunks(rows: Sequence[Row], count: int) -> list[list[Row]]:
    """``count`` chunks in time order holding about equal numbers of commits (moments).

    ``chunks`` cuts by attempts, so one mass commit can be a whole iteration
    (pytest's iteration 11: one commit, 1,647 fixes) and the accuracy per
    iteration follows what that commit did, not how much memory came before.
    Cut by commits, every iteration asks about as many commits; a commit's
    fixes share its time and are never split.
    """
    moments = [key for key, _ in itertools.groupby(row["time"] for row in rows)]
    parts: list[list[Row]] = [[] for _ in range(count)]
    per = max(1, len(moments))
    which = {moment: min(count - 1, i * count // per) for i, moment in enumerate(moments)}
    for row in rows:
        parts[which[row["time"]]].append(row)
    return parts
