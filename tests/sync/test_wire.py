"""The wire models: round trips, and every refusal names its field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookwise.errors import WireFormatError
from hookwise.sync import wire
from tests.server.payloads import batch, day, pattern

counts = st.integers(min_value=0, max_value=wire.MAX_COUNT)


@given(commits=counts, merges=counts, success=st.floats(0, 1), support=st.floats(0, 1e6))
def test_a_batch_survives_json_round_trips(
    commits: int, merges: int, success: float, support: float
) -> None:
    sent = batch(
        [day("api", "2026-11-01", commits, merges=merges, conflicted_merges=merges // 2)],
        [pattern("api", "remove import", success, support, example="import os")],
    )
    parsed = wire.SummaryBatch.from_json(json.loads(json.dumps(sent)))
    assert parsed.to_json() == sent
    assert wire.SummaryBatch.from_json(parsed.to_json()) == parsed


def test_author_ids_hide_the_email_and_ignore_its_case() -> None:
    assert wire.author_id(" Ada@Example.com ") == wire.author_id("ada@example.com")
    assert "ada" not in wire.author_id("ada@example.com")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], "body"),
        ({"version": 2, "summaries": [], "patterns": []}, "version"),
        ({"version": 1, "summaries": []}, "patterns"),
        (batch([day("api", "2026-11-01", commits=True)]), "summaries[0].commits"),
        (batch([day("api", "2026-11-01", authors=["a" * 64, "a" * 64])]), "summaries[0].authors"),
        (
            batch([day("api", "2026-11-01", cc_eligible=1, cc_compliant=2)]),
            "summaries[0].cc_compliant",
        ),
        (batch([day("api", "2026-1-01")]), "summaries[0].day"),
        (batch([], [pattern("api", "x", 1.5)]), "patterns[0].success"),
        (batch([], [pattern("api", "x", float("nan"))]), "patterns[0].success"),
        (batch([], [pattern("api", "", 0.5)]), "patterns[0].strategy"),
        (batch([], [pattern("api", "x\x00", 0.5)]), "patterns[0].strategy"),
        (batch([], [pattern("api", "x", 0.5, example="y" * 5000)]), "patterns[0].example"),
    ],
)
def test_each_refusal_names_the_field(payload: Any, field: str) -> None:
    with pytest.raises(WireFormatError) as caught:
        wire.SummaryBatch.from_json(payload)
    assert caught.value.field == field


def test_a_summary_from_a_client_before_active_branches_is_accepted() -> None:
    older = day("api", "2026-11-01")
    del older["active_branches"]
    (parsed,) = wire.SummaryBatch.from_json(batch([older])).summaries
    assert parsed.active_branches is None
    assert parsed.commits == older["commits"]
    assert wire.DaySummary.from_json({**older, "active_branches": None}) == parsed


def test_there_are_never_more_active_branches_than_commits() -> None:
    with pytest.raises(WireFormatError, match="larger than commits") as caught:
        wire.SummaryBatch.from_json(batch([day("api", "2026-11-01", 1, active_branches=2)]))
    assert caught.value.field == "summaries[0].active_branches"
    with pytest.raises(WireFormatError) as negative:
        wire.DaySummary.from_json(day("api", "2026-11-01", active_branches=-1))
    assert negative.value.field == "active_branches"


def test_batches_are_bounded() -> None:
    too_many = {"version": 1, "summaries": [{}] * (wire.MAX_SUMMARIES + 1), "patterns": []}
    with pytest.raises(WireFormatError, match="at most 1000") as caught:
        wire.SummaryBatch.from_json(too_many)
    assert caught.value.field == "summaries"


def test_the_json_schema_says_what_from_json_checks() -> None:
    schemas = wire.json_schema()
    summary = schemas["DaySummary"]
    assert summary["additionalProperties"] is False
    # Everything but what came after the first release is required.
    assert set(summary["required"]) == set(summary["properties"]) - {"active_branches"}
    assert summary["properties"]["active_branches"] == {
        "anyOf": [{"type": "integer", "minimum": 0, "maximum": wire.MAX_COUNT}, {"type": "null"}]
    }
    assert summary["properties"]["repo"]["pattern"] == wire.REPO_PATTERN
    assert summary["properties"]["fixes"]["items"] == {"$ref": "#/components/schemas/FixTally"}
    assert "example" not in schemas["FixPattern"]["required"]
