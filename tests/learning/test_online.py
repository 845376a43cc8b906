"""``hookwise.learning.online``: acceptance per arm on a constructed log, and its intervals."""

from __future__ import annotations

import json

import pytest

from hookwise.fixes.attempt import FixAttempt, attempt_id, canonical_context
from hookwise.fixes.record import record
from hookwise.learning.online import acceptance, acceptance_of, newcombe, wilson
from hookwise.learning.pending import ANOTHER_FIX, STILL_FAILING, shown_attempts, store_shown
from hookwise.store.db import Store
from hookwise.store.fixes import add_fix_attempts
from tests.fixes.lines import FINDING, line, lines

SHOWN_AT = 1_700_000_000


def showing(n: int, arm: str | None, strategies: int = 1) -> list[FixAttempt]:
    """The rows of finding ``n`` shown under run ``run-n`` by ``arm``."""
    finding = {**FINDING, "path": f"mod{n}.py", "fingerprint": f"fp{n}"}
    shown = [
        {
            "finding": finding,
            "arm": arm,
            "strategies": [
                {"strategy": f"strategy {k}", "kind": "replace"} for k in range(strategies)
            ],
        }
    ]
    return shown_attempts(f"run-{n}", SHOWN_AT, shown, now=SHOWN_AT)


def settle(attempt: FixAttempt, outcome: str, resolution: str | None = None) -> FixAttempt:
    """A confirmation of ``attempt``, as a check (with ``resolution``) or a human adds one."""
    context = json.loads(attempt.context or "{}")
    if resolution is not None:
        context["resolution"] = resolution
    fields = {
        **attempt.to_json(),
        "outcome": outcome,
        "confirms": attempt.id,
        "time": SHOWN_AT + 60,
        "context": canonical_context(context),
    }
    fields["id"] = attempt_id(fields)
    return FixAttempt(**{**fields, "recorded_at": SHOWN_AT + 60})


def constructed() -> list[FixAttempt]:
    """Arm a: 10 shown, 7 resolved, 4 accepted; arm b: 6 shown, 5 resolved, 1 accepted."""
    rows: list[FixAttempt] = []
    n = 0

    def add(arm: str | None, verdicts: list[tuple[str, str | None] | None]) -> None:
        nonlocal n
        n += 1
        shown = showing(n, arm, strategies=len(verdicts))
        rows.extend(shown)
        for attempt, verdict in zip(shown, verdicts, strict=True):
            if verdict is not None:
                rows.append(settle(attempt, *verdict))

    for _ in range(2):  # taken: the first strategy fixed it, the second was not the fix
        add("a", [("success", "accepted"), ("failure", ANOTHER_FIX)])
    add("a", [("success", None)])  # a human said it fixed the finding
    add("a", [("failure", STILL_FAILING), None])  # applied, still failing: taken all the same
    for _ in range(3):
        add("a", [("failure", ANOTHER_FIX)])
    for _ in range(3):
        add("a", [None])  # no verdict yet
    add("b", [("success", "accepted")])
    for _ in range(3):
        add("b", [("failure", ANOTHER_FIX)])
    add("b", [("failure", None)])  # a human said it was not the fix
    add("b", [("pending", "lines touched, another strategy")])  # a note is no verdict
    add(None, [("success", "accepted")])  # no arm (A/B off): counts for none
    return rows


def test_acceptance_per_arm_on_a_constructed_log() -> None:
    report = acceptance_of(constructed())
    a, b = report.arms
    assert (a.arm, a.shown, a.resolved, a.accepted) == ("a", 10, 7, 4)
    assert (b.arm, b.shown, b.resolved, b.accepted) == ("b", 6, 5, 1)
    assert a.acceptance == pytest.approx(4 / 7) and b.acceptance == pytest.approx(0.2)
    # Wilson 95% by hand: 4 of 7 is 0.2505-0.8418, 1 of 5 is 0.0362-0.6245.
    assert a.interval == pytest.approx((0.2505, 0.8418), abs=1e-4)
    assert b.interval == pytest.approx((0.0362, 0.6245), abs=1e-4)
    # Newcombe's method 10: 4/7 - 1/5 = 0.3714, -0.1607 to 0.6875.
    assert report.difference == pytest.approx((0.3714, -0.1607, 0.6875), abs=1e-4)
    shape = report.to_json()
    assert shape["level"] == 0.95
    assert shape["arms"][0] == {
        "arm": "a",
        "shown": 10,
        "resolved": 7,
        "accepted": 4,
        "acceptance": 0.5714,
        "interval": [0.2505, 0.8418],
    }
    assert shape["difference"] == {
        "arms": ["a", "b"],
        "value": 0.3714,
        "interval": [-0.1607, 0.6875],
    }


def test_published_intervals() -> None:
    # Newcombe (1998), Statistics in Medicine 17: 81 of 263 and 0 of 10 (Wilson);
    # 56/70 - 48/80 (his method 10).
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert newcombe((56, 70), (48, 80)) == pytest.approx((0.2, 0.0524, 0.3339), abs=1e-4)
    assert wilson(0, 0) is None and newcombe((1, 2), (0, 0)) is None


def test_an_arm_without_verdicts_has_no_rate_and_no_difference() -> None:
    report = acceptance_of(showing(1, "a") + showing(2, "b"))
    assert [(arm.shown, arm.resolved, arm.acceptance) for arm in report.arms] == [
        (1, 0, None),
        (1, 0, None),
    ]
    assert report.difference is None
    assert report.to_json()["difference"] is None


def test_acceptance_reads_the_store(store: Store) -> None:
    shown = [
        {
            "finding": {**FINDING, "fingerprint": "fp"},
            "arm": "b",
            "strategies": [{"strategy": "remove unused import", "kind": "imports"}],
        }
    ]
    assert store_shown(store, "run-1", SHOWN_AT, shown) == 1
    [attempt] = showing(0, "b")  # another finding, already settled
    add_fix_attempts(store, [attempt.to_row(), settle(attempt, "success", "accepted").to_row()])
    assert record(store, lines(line())).recorded == 1  # an attempt of another source: no showing
    [b] = acceptance(store).arms
    assert (b.arm, b.shown, b.resolved, b.accepted) == ("b", 2, 1, 1)
