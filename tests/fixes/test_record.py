"""``fix record``: every field checked, bad lines named by number and never stored."""

from __future__ import annotations

import json

import pytest

from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import fingerprint
from hookwise.fixes.context import repository_id
from hookwise.fixes.record import parse_record, parse_records, parse_time, record
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts
from tests.fixes.lines import FINDING, line, lines

NOW = 1_714_572_000  # 2024-05-01T14:00:00Z


def test_a_valid_line_is_stored_with_its_finding_and_defaults(store: Store) -> None:
    result = record(store, lines(line()), now=NOW)
    assert (result.recorded, result.known, result.bad) == (1, 0, ())
    [row] = fix_attempts(store)
    assert row["tool"] == "ruff" and row["rule"] == "F401" and row["path"] == "pkg/mod.py"
    assert row["fingerprint"] == fingerprint(Finding.from_json(FINDING))
    assert row["language"] == "python"
    assert row["strategy"] == "remove unused import"
    assert (row["kind"], row["source"], row["outcome"]) == ("unknown", "manual", "success")
    assert row["time"] == NOW and row["recorded_at"] == NOW  # time defaults to now
    # The context gains what is certain: this repository and the finding's language.
    project = repository_id(store.paths.hookwise_dir)
    assert json.loads(row["context"] or "") == {"language": "python", "project": project}
    assert row["diff"] is None and row["confirms"] is None


def test_every_optional_field_is_kept(store: Store) -> None:
    full = line(
        kind="imports",
        outcome="failure",
        time="2024-01-02T03:04:05+01:00",
        context={"skill": "cleanup", "complexity": 2, "language": "python"},
        diff="-import os\n",
        source="agent",
        commit="a" * 40,
    )
    record(store, lines(full), now=NOW)
    [row] = fix_attempts(store)
    assert row["kind"] == "imports" and row["outcome"] == "failure"
    assert row["time"] == 1_704_161_045  # 02:04:05 UTC
    assert json.loads(row["context"] or "") == {
        "skill": "cleanup",
        "complexity": 2,
        "language": "python",
        "project": repository_id(store.paths.hookwise_dir),
    }
    assert (row["diff"], row["source"], row["commit"]) == ("-import os\n", "agent", "a" * 40)


def test_recording_the_same_line_twice_stores_it_once(store: Store) -> None:
    data = lines(line(time="2024-01-01T00:00:00Z"))
    assert record(store, data, now=NOW).recorded == 1
    again = record(store, data, now=NOW + 60)
    assert (again.recorded, again.known) == (0, 1)
    assert len(fix_attempts(store)) == 1


BAD_LINES = {
    "bad JSON": ('{"finding": ', "not JSON"),
    "not an object": ("[1, 2]", "a record is a JSON object, not an array"),
    "a bare string": ('"fixed it"', "a record is a JSON object"),
    "no strategy": (
        json.dumps({"finding": FINDING, "outcome": "success"}),
        "a record needs a 'strategy'",
    ),
    "an empty strategy": (line(strategy="  "), "'strategy' must be a non-empty string"),
    "a bad outcome": (line(outcome="fixed"), "'outcome' must be one of success, failure"),
    "a pending outcome": (line(outcome="pending"), "'outcome' must be one of success, failure"),
    "no outcome": (
        json.dumps({"finding": FINDING, "strategy": "s"}),
        "a record needs an 'outcome'",
    ),
    "a bad time": (line(time="yesterday"), "'time' must be an ISO-8601 time"),
    "a numeric time": (line(time=1714572000), "'time' must be an ISO-8601 string"),
    "no rule": (
        line(finding={k: v for k, v in FINDING.items() if k != "rule"}),
        "a finding's 'rule' must be a string",
    ),
    "no tool": (
        line(finding={k: v for k, v in FINDING.items() if k != "tool"}),
        "a finding's 'tool' must be a string",
    ),
    "an empty rule": (line(finding={**FINDING, "rule": ""}), "a finding's 'rule' must not be"),
    "no finding": (json.dumps({"strategy": "s", "outcome": "success"}), "needs a 'finding'"),
    "a bad kind": (line(kind="magic"), "'kind' must be one of autofix"),
    "a bad source": (line(source="auto"), "'source' must be one of agent, manual"),
    "a context that is no object": (line(context="x"), "'context' must be a JSON object"),
    "a bad context value": (line(context={"skill": 3}), "the context's 'skill' must be a string"),
    "a diff that is no string": (line(diff=["-a"]), "'diff' must be a string"),
    "an unknown field": (line(outcom="success"), "a record has no field 'outcom'"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_line_is_named_by_its_number_and_nothing_of_it_is_stored(
    store: Store, case: str
) -> None:
    bad, problem = BAD_LINES[case]
    good_before = line(strategy="first", time="2024-01-01T00:00:00Z")
    good_after = line(strategy="last", time="2024-01-01T00:00:00Z")
    result = record(store, lines(good_before, "", bad, good_after), now=NOW)
    [named] = result.bad
    assert named.number == 3  # the blank line 2 counts, and is skipped
    assert problem in named.problem, named.problem
    assert str(named).startswith("line 3: ")
    assert result.recorded == 2  # the good lines are stored all the same
    assert sorted(r["strategy"] for r in fix_attempts(store)) == ["first", "last"]


def test_every_bad_line_is_named() -> None:
    data = b"{\n" + line().encode() + b"\n[]\n\xff\xfe\n"
    attempts, bad = parse_records(data, lambda shape: parse_record(shape, now=NOW))
    assert len(attempts) == 1
    assert [b.number for b in bad] == [1, 3, 4]
    assert "not UTF-8" in bad[2].problem


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2024-05-01T14:00:00Z", NOW),
        ("2024-05-01T14:00:00", NOW),  # no offset: UTC
        ("2024-05-01T16:00:00+02:00", NOW),
        ("2024-05-01T14:00:00.900Z", NOW),  # whole seconds
        ("2024-05-01", NOW - 14 * 3600),
    ],
)
def test_times(value: str, seconds: int) -> None:
    assert parse_time(value) == seconds


def test_a_time_before_1970_is_refused() -> None:
    from hookwise.errors import UsageError

    with pytest.raises(UsageError, match="before 1970"):
        parse_time("1969-12-31T23:59:59Z")
