"""The summary of a backfill, as the worker sends it and the command reads it."""

from __future__ import annotations

import json

import pytest

from hookwise.history.result import BackfillResult


def test_a_result_survives_the_trip_through_json() -> None:
    result = BackfillResult(
        commits=130, merges=31, conflicted=4, ref_events=2, seconds=0.4, pending_checks=0
    )
    again = BackfillResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result
    assert again.commits_per_second == pytest.approx(325.0)


def test_an_answer_that_is_not_a_result_is_refused() -> None:
    with pytest.raises(KeyError):
        BackfillResult.from_json({"commits": 1})
