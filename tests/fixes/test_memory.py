"""Listing, confirming, and export -> import of fix memory."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookwise.errors import UsageError
from hookwise.fixes.attempt import OUTCOMES, SOURCES, FixAttempt, canonical_context
from hookwise.fixes.kinds import KINDS
from hookwise.fixes.memory import confirm, export, import_lines, list_attempts
from hookwise.fixes.record import record
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts
from tests.fixes.lines import FINDING, line, lines
from tests.gitrepo import GitRepo

NOW = 1_714_572_000


def three(store: Store) -> None:
    other = {**FINDING, "tool": "mypy", "rule": "attr-defined", "message": "no attribute"}
    record(
        store,
        lines(
            line(strategy="remove import", time="2024-01-01T00:00:00Z"),
            line(strategy="noqa", outcome="failure", time="2024-02-01T00:00:00Z"),
            line(finding=other, strategy="fix name", time="2024-03-01T00:00:00Z"),
        ),
        now=NOW,
    )


def test_list_is_newest_first_and_filters(store: Store) -> None:
    three(store)
    assert [a.attempt.strategy for a in list_attempts(store)] == [
        "fix name",
        "noqa",
        "remove import",
    ]
    assert [a.attempt.strategy for a in list_attempts(store, tool="ruff")] == [
        "noqa",
        "remove import",
    ]
    assert [a.attempt.strategy for a in list_attempts(store, rule="attr-defined")] == ["fix name"]
    assert [a.attempt.strategy for a in list_attempts(store, limit=1)] == ["fix name"]
    assert list_attempts(store, tool="eslint") == []


def test_confirm_adds_a_row_and_changes_the_listed_outcome(store: Store) -> None:
    three(store)
    [noqa] = [a for a in list_attempts(store) if a.attempt.strategy == "noqa"]
    assert (noqa.outcome, noqa.confirmed_at) == ("failure", None)
    done = confirm(store, noqa.attempt.id[:8], "success", now=NOW + 10)
    assert (done.before, done.outcome) == ("failure", "success")
    [again] = [a for a in list_attempts(store) if a.attempt.strategy == "noqa"]
    assert (again.outcome, again.confirmed_at) == ("success", NOW + 10)
    assert again.attempt == noqa.attempt  # the attempt's own row is unchanged
    rows = fix_attempts(store)
    assert len(rows) == 4
    [confirmation] = [r for r in rows if r["confirms"] is not None]
    assert confirmation["confirms"] == noqa.attempt.id and confirmation["outcome"] == "success"
    confirm(store, noqa.attempt.id, "failure", now=NOW + 20)
    [last] = [a for a in list_attempts(store) if a.attempt.strategy == "noqa"]
    assert (last.outcome, last.confirmed_at) == ("failure", NOW + 20)
    assert len(list_attempts(store)) == 3  # confirmations are not attempts


def test_confirm_refuses_unknown_ambiguous_and_bad_values(store: Store) -> None:
    three(store)
    out = io.StringIO()
    export(store, out)
    twins = [json.loads(row) for row in out.getvalue().splitlines()[:2]]
    twins[0]["id"], twins[1]["id"] = "abc0" + "0" * 28, "abc1" + "0" * 28
    import_lines(store, "\n".join(json.dumps(t) for t in twins).encode())
    with pytest.raises(UsageError, match="no fix attempt has id"):
        confirm(store, "zzzz", "success")
    with pytest.raises(UsageError, match="must not be empty"):
        confirm(store, " ", "success")
    with pytest.raises(UsageError, match="success or failure"):
        confirm(store, "abc0", "pending")
    with pytest.raises(UsageError, match="2 fix attempts have ids that start with 'abc'"):
        confirm(store, "abc", "success")
    assert confirm(store, "ABC1", "failure", now=NOW).attempt.id == twins[1]["id"]


def test_export_then_import_into_a_fresh_repository(store: Store, tmp_path: Path) -> None:
    three(store)
    confirm(store, list_attempts(store)[0].attempt.id, "failure", now=NOW + 5)
    out = io.StringIO()
    assert export(store, out) == 4
    fresh = GitRepo.init(tmp_path / "fresh")
    fresh.commit("first")
    other = Store.open(discover(fresh.path))
    result = import_lines(other, out.getvalue().encode())
    assert (result.recorded, result.known, result.bad) == (4, 0, ())
    again = io.StringIO()
    export(other, again)
    assert again.getvalue() == out.getvalue()
    assert import_lines(other, out.getvalue().encode()).recorded == 0  # idempotent on the id
    assert [a.to_json() for a in list_attempts(other)] == [
        a.to_json() for a in list_attempts(store)
    ]


def test_import_names_bad_lines_and_stores_the_rest(store: Store, tmp_path: Path) -> None:
    three(store)
    out = io.StringIO()
    export(store, out)
    good = out.getvalue().splitlines()
    broken = re.sub(r'"outcome":"\w+"', '"outcome":"maybe"', good[1])
    data = "\n".join([good[0], broken, "{}", good[2]]).encode()
    fresh = GitRepo.init(tmp_path / "fresh")
    other = Store.open(discover(fresh.path))
    result = import_lines(other, data)
    assert [b.number for b in result.bad] == [2, 3]
    assert result.bad[0].problem.startswith("'outcome' must be one of")
    assert result.bad[1].problem.startswith("a fix attempt needs 'id'")
    assert result.recorded == 2
    assert {r["id"] for r in fix_attempts(other)} == {
        json.loads(good[0])["id"],
        json.loads(good[2])["id"],
    }


def texts(empty: bool = True) -> st.SearchStrategy[str]:
    return st.text(min_size=0 if empty else 1).filter(lambda s: empty or s.strip() != "")


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


contexts = st.dictionaries(
    st.sampled_from(["language", "project", "skill", "agent"]), st.text(), max_size=3
).map(canonical_context)

attempts = st.builds(
    FixAttempt,
    id=st.text(alphabet="0123456789abcdef", min_size=8, max_size=32),
    tool=texts(False),
    rule=texts(False),
    message=texts(),
    path=texts(),
    snippet=optional(texts()),
    fingerprint=texts(False),
    language=optional(texts()),
    strategy=texts(False),
    kind=st.sampled_from(list(KINDS)),
    source=st.sampled_from(SOURCES),
    outcome=st.sampled_from(OUTCOMES),
    commit=optional(texts()),
    diff=optional(texts()),
    context=optional(contexts),
    confirms=optional(st.text(alphabet="0123456789abcdef", min_size=8, max_size=8)),
    time=st.integers(0, 2**40),
    recorded_at=st.integers(0, 2**40),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(attempts, max_size=6, unique_by=lambda a: a.id))
def test_export_import_round_trips_exactly(
    tmp_path_factory: pytest.TempPathFactory, batch: list[FixAttempt]
) -> None:
    """Any attempts, imported into one store, exported, imported into another: same lines."""
    source = GitRepo.init(tmp_path_factory.mktemp("source") / "repo")
    target = GitRepo.init(tmp_path_factory.mktemp("target") / "repo")
    first = Store.open(discover(source.path))
    data = "".join(json.dumps(a.to_json(), ensure_ascii=False) + "\n" for a in batch).encode()
    assert import_lines(first, data).recorded == len(batch)
    out = io.StringIO()
    export(first, out)
    second = Store.open(discover(target.path))
    import_lines(second, out.getvalue().encode())
    again = io.StringIO()
    export(second, again)
    assert again.getvalue() == out.getvalue()
    stored = {FixAttempt.from_row(r) for r in fix_attempts(second)}
    assert stored == set(batch)


def test_in_one_second_a_verdict_outranks_a_note_and_a_failure_a_success() -> None:
    from hookwise.fixes.attempt import FixAttempt
    from hookwise.fixes.memory import current

    base = {
        "tool": "ruff",
        "rule": "F401",
        "message": "m",
        "path": "a.py",
        "snippet": None,
        "fingerprint": "fp",
        "language": None,
        "strategy": "s",
        "kind": "imports",
        "source": "suggested",
        "outcome": "pending",
        "commit": None,
        "diff": None,
        "context": None,
        "confirms": None,
        "time": 10,
        "recorded_at": 10,
    }
    attempt = FixAttempt(id="a", **base)  # type: ignore[arg-type]

    def confirmation(key: str, outcome: str) -> FixAttempt:
        fields = {**base, "outcome": outcome, "confirms": "a", "recorded_at": 20}
        return FixAttempt(id=key, **fields)  # type: ignore[arg-type]

    # Ids chosen so that the id alone would order them the other way.
    for rows in (
        [attempt, confirmation("z-note", "pending"), confirmation("a-verdict", "success")],
        [attempt, confirmation("a-verdict", "success"), confirmation("z-note", "pending")],
    ):
        [settled] = current(rows)
        assert settled.outcome == "success"
    [cautious] = current([attempt, confirmation("z", "success"), confirmation("a", "failure")])
    assert cautious.outcome == "failure"
