"""``hookwise suggest``'s service on a real store, with attempts recorded through ``fix record``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hookwise.checks.findings import Finding
from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.memory import confirm, list_attempts
from hookwise.fixes.record import record
from hookwise.fixes.service import SuggestService
from hookwise.fixes.suggest import (
    SuggestResult,
    last_run_findings,
    parse_findings,
    suggest_in_process,
)
from hookwise.search.state import VectorState, write_state
from hookwise.store.db import Store
from hookwise.store.fixes import add_check_run, fix_attempts_without_vector
from tests.fixes.lines import FINDING, line, lines

NOW = 1_714_572_000
DIFF = "--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1 +0,0 @@\n-import os\n"
ELSEWHERE = Finding(
    tool="ruff",
    rule="F401",
    message="`sys` imported but unused",
    path="tools/run.py",
    line=3,
    snippet="import sys",
)


def _record(store: Store, *records: str) -> None:
    result = record(store, lines(*records), now=NOW)
    assert result.bad == ()


def _at(day: int) -> str:
    return f"2024-04-{day:02d}T12:00:00Z"


def _suggest(store: Store, *findings: Finding, **kwargs: Any) -> SuggestResult:
    return suggest_in_process(store, findings, embedder=HashingEmbedder(), **kwargs)


def test_a_similar_finding_elsewhere_gets_the_fix_with_support_1(store: Store) -> None:
    _record(store, line(diff=DIFF, commit="c" * 40, time=_at(1)))
    [answer] = _suggest(store, ELSEWHERE).results
    assert answer.finding == ELSEWHERE
    [best] = answer.suggestions
    assert best.strategy == "remove unused import"  # exactly as recorded
    assert (best.kind, best.support, best.success_rate, best.learned) == ("imports", 1, 1.0, True)
    assert best.examples == ({"commit": "c" * 40, "diff": DIFF},)
    assert best.confidence is not None and 0.0 < best.confidence < 1.0


def test_a_failed_attempt_lowers_the_strategy(store: Store) -> None:
    _record(
        store,
        line(strategy="remove unused import", time=_at(1)),
        line(strategy="remove unused import", time=_at(2)),
        line(strategy="add to __all__", time=_at(3)),
    )
    before = [s.strategy for s in _suggest(store, ELSEWHERE).results[0].suggestions]
    assert before == ["remove unused import", "add to __all__"]
    _record(
        store,
        line(strategy="remove unused import", outcome="failure", time=_at(4)),
        line(strategy="remove unused import", outcome="failure", time=_at(5)),
    )
    [after] = _suggest(store, ELSEWHERE).results
    # Two failures cancel its two successes: it is no longer suggested at all.
    assert [s.strategy for s in after.suggestions] == ["add to __all__"]
    _record(store, line(strategy="remove unused import", time=_at(6)))
    [again] = _suggest(store, ELSEWHERE).results
    back = {s.strategy: s for s in again.suggestions}["remove unused import"]
    assert (back.support, back.success_rate) == (5, 0.6)


def test_a_cold_store_suggests_only_the_checkers_own_fix(store: Store) -> None:
    fixable = Finding("ruff", "F401", "`os` imported but unused", "a.py", 1, fixable=True)
    plain = Finding("mypy", "arg-type", "Argument 1 has incompatible type", "a.py", 2)
    first, second = _suggest(store, fixable, plain).results
    [own] = first.suggestions
    assert (own.strategy, own.kind, own.support, own.learned) == (
        "ruff check --fix",
        "autofix",
        0,
        False,
    )
    assert own.confidence is None and own.success_rate is None and own.examples == ()
    assert second.suggestions == ()


def test_an_unrelated_rule_learns_nothing_from_another(store: Store) -> None:
    _record(store, line(time=_at(1)))
    unrelated = Finding("mypy", "return-value", "Incompatible return value type", "b.py", 9)
    assert _suggest(store, unrelated).results[0].suggestions == ()


def test_answers_come_in_input_order_echoing_each_finding(store: Store) -> None:
    _record(store, line(time=_at(1)))
    data = "\n".join(
        json.dumps(shape)
        for shape in (
            {**FINDING, "path": "z.py"},
            {"tool": "mypy", "rule": "misc", "message": "x", "path": "a.py", "line": None},
            {**FINDING, "path": "b.py", "language": "python"},
        )
    ).encode()
    findings, shapes, bad = parse_findings(data)
    assert bad == [] and shapes[1]["line"] is None
    answers = _suggest(store, *findings).results
    assert [a.finding.path for a in answers] == ["z.py", "a.py", "b.py"]
    assert [a.to_json()["finding"] for a in answers] == [f.to_json() for f in findings]
    assert [len(a.suggestions) for a in answers] == [1, 0, 1]


def test_a_bad_line_is_named_by_its_number() -> None:
    data = lines(json.dumps(FINDING), "{not json", json.dumps({**FINDING, "line": 0}))
    findings, _, bad = parse_findings(data)
    assert len(findings) == 1
    assert [b.number for b in bad] == [2, 3]
    assert str(bad[0]).startswith("line 2: not JSON")
    assert "'line'" in str(bad[1])


def test_without_the_stores_embedder_the_rule_alone_speaks(store: Store) -> None:
    _record(store, line(time=_at(1)))
    result = suggest_in_process(store, [ELSEWHERE])  # no commit embedded: no embedder yet
    [best] = result.results[0].suggestions
    assert best.strategy == "remove unused import"
    assert result.notices and "exact rule matches only" in result.notices[0]


def test_the_last_check_runs_findings(store: Store) -> None:
    assert last_run_findings(store) == []
    for run_id, when, rule in (("old", NOW, "E501"), ("new", NOW + 60, "F401")):
        add_check_run(
            store,
            {
                "id": run_id,
                "tool": "ruff",
                "command": ["ruff", "check", "."],
                "exit_code": 1,
                "duration_ms": 5,
                "head": None,
                "time": when,
                "finding_count": 1,
            },
            [
                {
                    "run_id": run_id,
                    "tool": "ruff",
                    "rule": rule,
                    "message": "m",
                    "path": "a.py",
                    "line": 1,
                    "fingerprint": f"f-{run_id}",
                    "snippet": "import os",
                    "language": "python",
                    "fixable": True,
                    "time": when,
                }
            ],
        )
    [finding] = last_run_findings(store)
    assert (finding.rule, finding.fixable, finding.snippet) == ("F401", True, "import os")


@pytest.fixture
def embedded(store: Store) -> Store:
    """The store with its embedder chosen, as the worker records it on first embedding."""
    write_state(store.paths, VectorState("hashing", HashingEmbedder().id))
    return store


def test_the_worker_stores_vectors_when_idle_and_answers_as_in_process(embedded: Store) -> None:
    _record(
        embedded,
        line(diff=DIFF, time=_at(1)),
        line(strategy="noqa", outcome="failure", time=_at(2)),
    )
    service = SuggestService()
    embedder_id = service.index(embedded)[1].id  # type: ignore[union-attr]
    assert len(fix_attempts_without_vector(embedded, embedder_id, 10)) == 2
    assert service.when_idle(embedded) is True
    assert fix_attempts_without_vector(embedded, embedder_id, 10) == []
    assert service.when_idle(embedded) is False  # nothing waits: the index is read again
    args = {"hookwise_dir": str(embedded.paths.hookwise_dir), "findings": [ELSEWHERE.to_json()]}
    answer = service.serve_suggest({**args, "limit": 3})
    assert "error" not in answer
    served = SuggestResult.from_json(json.loads(json.dumps(answer)))
    assert served == suggest_in_process(embedded, [ELSEWHERE], limit=3)
    assert [s.strategy for s in served.results[0].suggestions] == ["remove unused import"]


def test_the_worker_reads_the_index_again_after_a_new_attempt(embedded: Store) -> None:
    service = SuggestService()
    assert service.suggest(embedded, [ELSEWHERE], 3).results[0].suggestions == ()
    _record(embedded, line(time=_at(1)))
    [best] = service.suggest(embedded, [ELSEWHERE], 3).results[0].suggestions
    assert best.support == 1


def test_a_bad_finding_sent_to_the_worker_is_a_usage_error(embedded: Store) -> None:
    answer = SuggestService().serve_suggest(
        {"hookwise_dir": str(embedded.paths.hookwise_dir), "findings": [{"tool": "ruff"}]}
    )
    assert answer["kind"] == "UsageError" and "'rule'" in answer["error"]


def test_a_confirmed_failure_counts_against_its_strategy(store: Store) -> None:
    _record(store, line(time=_at(1)), line(strategy="add to __all__", time=_at(2)))
    first, second = [s.strategy for s in _suggest(store, ELSEWHERE).results[0].suggestions]
    [attempt] = [a for a in list_attempts(store) if a.attempt.strategy == first]
    confirm(store, attempt.attempt.id, "failure", now=NOW)
    [only] = _suggest(store, ELSEWHERE).results[0].suggestions
    assert only.strategy == second


def test_examples_are_fetched_from_the_store_and_remembered(embedded: Store) -> None:
    _record(embedded, line(diff=DIFF, commit="c" * 40, time=_at(1)), line(time=_at(2)))
    service = SuggestService()
    [best] = service.suggest(embedded, [ELSEWHERE], 3).results[0].suggestions
    assert best.support == 2 and best.examples == ({"commit": "c" * 40, "diff": DIFF},)
    index = service.index(embedded)[0]
    [remembered] = index.examples.values()
    assert (remembered.commit, remembered.diff) == ("c" * 40, DIFF)
    # Storing the attempts' vectors rewrites their rows; the index read again
    # still finds the example.
    assert service.when_idle(embedded) is True
    [again] = service.suggest(embedded, [ELSEWHERE], 3).results[0].suggestions
    assert again.examples == best.examples
    assert service.index(embedded)[0] is not index


def test_before_a_time_the_memory_is_as_it_was_then(store: Store) -> None:
    _record(store, line(strategy="old way", time=_at(1)), line(strategy="new way", time=_at(5)))
    [now] = _suggest(store, ELSEWHERE).results
    assert {s.strategy for s in now.suggestions} == {"old way", "new way"}
    before = int(datetime(2024, 4, 3, tzinfo=UTC).timestamp())
    [then] = _suggest(store, ELSEWHERE, before=before).results
    assert [s.strategy for s in then.suggestions] == ["old way"]


def test_an_arm_is_stable_per_fingerprint_and_the_split_is_balanced() -> None:
    import random
    from collections import Counter

    from hookwise.fixes.arms import arm_of

    chance = random.Random(11)
    fingerprints = [f"{chance.getrandbits(80):020x}" for _ in range(10_000)]
    split = Counter(arm_of(fp, ["a", "b"]) for fp in fingerprints)
    assert split == {"a": 4_992, "b": 5_008}  # docs/online-ab.md quotes it
    # The same finding, the same arm, whatever else was asked (and on any machine).
    assert [arm_of(fp, ["a", "b"]) for fp in fingerprints[:50]] == [
        arm_of(fp, ["a", "b"]) for fp in fingerprints[:50]
    ]
    assert arm_of("0123456789abcdef0123", ["a", "b"]) == "a"
    assert arm_of("0123456789abcdef0124", ["a", "b"]) == "b"
