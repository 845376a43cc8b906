"""``hookwise.fixes.decay`` and what it does to suggestions from a real store.

The attempts are recorded through ``fix record`` and suggested for with
``suggest_in_process`` and ``before`` set, as a replay sets the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from hookwise.checks.findings import Finding
from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.decay import DAY, decay, relative_decay
from hookwise.fixes.recommend import RecommendConfig
from hookwise.fixes.record import record
from hookwise.fixes.suggest import SuggestResult, suggest_in_process
from hookwise.store.db import Store
from tests.fixes.lines import line, lines

NOW = datetime(2026, 6, 1, tzinfo=UTC)
FRESH = Finding(
    tool="ruff",
    rule="F401",
    message="`re` imported but unused",
    path="pkg/other.py",
    line=2,
    snippet="import re",
)


def test_a_half_life_halves_and_none_keeps() -> None:
    assert decay(90 * DAY, 90.0) == pytest.approx(0.5)
    assert decay(365 * DAY, 90.0) == pytest.approx(0.0602, abs=1e-4)  # the docs' example
    assert decay(0, 90.0) == 1.0 and decay(-DAY, 90.0) == 1.0  # never above fresh
    assert decay(10_000 * DAY, None) == 1.0


def test_relative_decay_counts_each_groups_newest_as_one() -> None:
    time = np.array([0, 90 * DAY, 1000 * DAY, 1000 * DAY - 180 * DAY])
    group = np.array([0, 0, 1, 1])
    factors = relative_decay(time, group, 2, 90.0)
    assert factors.tolist() == pytest.approx([0.5, 1.0, 1.0, 0.25])
    assert relative_decay(time, group, 2, None).tolist() == [1.0] * 4


def _days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


#: Decay as docs/learning.md describes it (the recommender's default leaves it off).
DECAYED = RecommendConfig(half_life_days=90.0)


def _suggest(store: Store, config: RecommendConfig = DECAYED) -> SuggestResult:
    return suggest_in_process(
        store,
        [FRESH],
        embedder=HashingEmbedder(),
        config=config,
        before=int(NOW.timestamp()),
    )


def _record(store: Store, *records: str) -> None:
    assert record(store, lines(*records), now=NOW.timestamp()).bad == ()


def test_two_recent_successes_beat_ten_old_ones_and_a_recent_failure(store: Store) -> None:
    old = [line(strategy="old way", time=_days_ago(400 + n)) for n in range(10)]
    failed = line(strategy="old way", outcome="failure", time=_days_ago(5))
    recent = [line(strategy="new way", time=_days_ago(n)) for n in (3, 4)]
    _record(store, *old, failed, *recent)
    [answer] = _suggest(store).results
    assert [s.strategy for s in answer.suggestions] == ["new way"]
    # Without decay the ten old successes outvote everything.
    [undecayed] = _suggest(store, RecommendConfig(half_life_days=None)).results
    assert undecayed.suggestions[0].strategy == "old way"
    assert undecayed.suggestions[0].support == 11  # support counts attempts, not weights


def test_a_recent_failure_outweighs_an_old_success(store: Store) -> None:
    _record(
        store,
        line(strategy="stale", time=_days_ago(300)),
        line(strategy="stale", outcome="failure", time=_days_ago(1)),
    )
    assert _suggest(store).results[0].suggestions == ()
    [undecayed] = _suggest(store, RecommendConfig(half_life_days=None)).results
    assert undecayed.suggestions == ()  # one for, one against: nothing either way


def test_a_history_that_ended_two_years_ago_still_suggests_as_it_did(store: Store) -> None:
    ended = 730
    # Five attempts, all among the five nearest neighbours (ties in cosine would
    # otherwise pick which ones by id); distinct commits, since the same line
    # twice is one attempt.
    _record(
        store,
        *[line(strategy="first", time=_days_ago(ended), commit=f"a{n}") for n in range(2)],
        line(strategy="second", time=_days_ago(ended)),
        line(strategy="second", outcome="failure", time=_days_ago(ended)),
        line(strategy="third", time=_days_ago(ended), commit="c"),
    )
    [decayed] = _suggest(store).results
    [plain] = _suggest(store, RecommendConfig(half_life_days=None)).results
    # "second" failed as often as it worked: nothing either way.
    assert [s.strategy for s in decayed.suggestions] == ["first", "third"]
    # All the evidence is equally old: decay changes nothing, confidence included.
    assert decayed.suggestions == plain.suggestions
    assert [s.support for s in decayed.suggestions] == [2, 1]


def test_old_memory_speaks_as_loudly_as_the_same_memory_when_fresh(store: Store) -> None:
    config = DECAYED
    _record(store, line(strategy="kept", time=_days_ago(2000)))
    [long_ago] = _suggest(store, config).results
    assert [s.strategy for s in long_ago.suggestions] == ["kept"]
    shifted = suggest_in_process(
        store,
        [FRESH],
        embedder=HashingEmbedder(),
        config=replace(config, half_life_days=1.0),  # a day: 2000 days is 2**-2000
        before=int(NOW.timestamp()),
    )
    assert shifted.results[0].suggestions == long_ago.suggestions
