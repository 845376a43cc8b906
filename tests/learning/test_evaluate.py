from __future__ import annotations

import json

import pytest

from hookwise.embed.testing import FakeEmbedder
from hookwise.fixes.attempt import FixAttempt, attempt_id, canonical_context
from hookwise.learning.arms import arms_of
from hookwise.learning.evaluate import attempts_of_lines, evaluate
from tests.learning.history import DAY, START, as_current, attempt, consistent


def fake(name: str | None) -> FakeEmbedder:
    return FakeEmbedder(name=name or "fake")


def by_name(result: object) -> dict[str, dict[str, object]]:
    shape = result.to_json()  # type: ignore[attr-defined]
    return {arm["name"]: arm for arm in shape["arms"]}


def small() -> list:  # type: ignore[type-arg]
    """Iteration 0 teaches; iteration 1 asks four questions (see the test for the answers)."""
    return [
        attempt("R1", "sA", 0, n=0),
        attempt("R1", "sA", 0, n=1),
        attempt("R2", "sB", 0, n=2),
        attempt("R2", "bad", 0, n=3, outcome="failure"),
        attempt("R1", "bad", 0, n=10, outcome="failure"),
        attempt("R1", "bad", 0, n=11, outcome="failure"),
        attempt("R1", "sA", 10, n=4),
        attempt("R1", "sZ", 10, n=5),
        attempt("R2", "sB", 10, n=6),
        attempt("R3", "sC", 10, n=7),
        attempt("R3", "sC", 10, n=8, outcome="failure"),  # evidence, never a question
        attempt("R3", "sD", 10, n=9, outcome="pending"),
    ]


def test_a_hand_computed_accuracy_and_interval() -> None:
    # The prior alone (no neighbours) knows R1 -> sA and R2 -> sB: right on the first and
    # third questions, nothing for sZ (never seen) nor R3 (no history): top-1 2/4.
    # Global majority ranks [sA, sB] for all: top-1 1/4, top-3 2/4, MRR (1 + 1/2) / 4.
    # Its top-1 differences to the prior are [0, 0, -1, 0]; a resample's mean is -k/4
    # with k ~ Binomial(4, 1/4): P(k >= 3) = 5.1% and P(k = 4) = 0.4%, so the 2.5th
    # percentile is -3/4; P(k = 0) = 31.6%, so the 97.5th is 0.
    result = evaluate(as_current(small()), arms_of(["prior:neighbours=0"]), fake, iterations=2)
    arms = by_name(result)
    assert arms["prior"]["overall"] == {
        "questions": 4,
        "top1": 0.5,
        "top3": 0.5,
        "mrr": 0.5,
        "calibration_error": pytest.approx(arms["prior"]["overall"]["calibration_error"]),
    }
    assert arms["prior"]["difference"] is None
    overall = arms["global majority"]["overall"]
    assert (overall["top1"], overall["top3"], overall["mrr"]) == (0.25, 0.5, 0.375)
    assert overall["calibration_error"] is None and arms["global majority"]["reliability"] == []
    difference = arms["global majority"]["difference"]
    assert difference["top1"] == {"difference": -0.25, "low": -0.75, "high": 0.0}
    assert difference["top3"] == {"difference": 0.0, "low": 0.0, "high": 0.0}
    assert difference["mrr"]["difference"] == -0.125
    rule = arms["rule majority"]["overall"]
    assert (rule["top1"], rule["top3"]) == (0.5, 0.5)
    assert result.to_json()["iterations"] == [
        {"iteration": 1, "history": 6, "questions": 4, "now": START + 10 * DAY + 4}
    ]


def test_an_arm_that_wins_by_construction_has_an_interval_clear_of_zero() -> None:
    history = as_current(consistent())
    arms = arms_of(["prior:neighbours=0", "blind:neighbours=0,prior_weight=0,common_fill=0"])
    result = evaluate(history, arms, fake, iterations=4)
    found = by_name(result)
    assert found["prior"]["overall"]["top1"] == 1.0
    assert found["blind"]["overall"]["top1"] == 0.0
    assert found["blind"]["reliability"] == [] or all(
        b["count"] == 0 for b in found["blind"]["reliability"]
    )
    for metric in ("top1", "top3", "mrr"):
        interval = found["blind"]["difference"][metric]
        assert interval["high"] < 0 and interval["difference"] == -1.0
    assert found["rule majority"]["overall"]["top1"] == 1.0
    assert [len(a.iterations) for a in result.arms] == [3] * len(result.arms)


def test_identical_arms_differ_by_exactly_zero() -> None:
    history = as_current(consistent())
    result = evaluate(history, arms_of(["a:neighbours=5", "b:neighbours=5"]), fake, iterations=4)
    difference = by_name(result)["b"]["difference"]
    for metric in ("top1", "top3", "mrr"):
        assert difference[metric] == {"difference": 0.0, "low": 0.0, "high": 0.0}


def test_the_clock_never_lets_a_question_see_its_own_iteration() -> None:
    # R1 was fixed with "old" three times, then with "new" three times a year later:
    # asked as of the first "new", only "old" is known, so every answer is wrong.
    history = [attempt("R1", "old", day, n=day) for day in range(3)]
    history += [attempt("R1", "new", 365 + day, n=10 + day) for day in range(3)]
    result = evaluate(as_current(history), arms_of(["prior:neighbours=0"]), fake, iterations=2)
    assert by_name(result)["prior"]["overall"]["top3"] == 0.0
    assert by_name(result)["default"]["overall"]["top3"] == 0.0


def test_each_embedder_embeds_each_distinct_text_once_and_apart() -> None:
    made: dict[str | None, FakeEmbedder] = {}

    def embedder_for(name: str | None) -> FakeEmbedder:
        return made.setdefault(name, FakeEmbedder(8 if name else 16, name=name or "fake"))

    history = as_current(consistent(rules=3, per_rule=4))  # each rule's text four times
    arms = arms_of(["small:embedder=hashing", "also:neighbours=3"])
    result = evaluate(history, arms, embedder_for, iterations=3)
    assert set(made) == {"hashing", None}
    for embedder in made.values():
        assert len(embedder.texts_embedded) == len(set(embedder.texts_embedded)) == 3
    assert {a.arm.name for a in result.arms} >= {"small", "also"}


def test_lines_of_export_and_of_record_and_the_bad_ones() -> None:
    exported = json.dumps(attempt("R1", "sA", 0).to_json())
    recorded = json.dumps(
        {
            "finding": {"tool": "ruff", "rule": "F401", "message": "m", "path": "a.py", "line": 1},
            "strategy": "remove unused import",
            "outcome": "success",
            "time": "2024-01-01T00:00:00Z",
        }
    )
    data = f"{exported}\n\n{recorded}\n{{}}\nnot json\n".encode()
    attempts, bad = attempts_of_lines(data, now=START)
    assert sorted(a.attempt.rule for a in attempts) == ["F401", "R1"]
    assert [b.number for b in bad] == [4, 5]
    assert "not JSON" in str(bad[1])


def test_questions_are_asked_in_their_own_context() -> None:
    # R1 was fixed "elsewhere" three times in another project's complex functions and
    # "here" twice in this project's simple ones, all in one commit; the questions are
    # a later commit's, in this project.
    # Ignoring context, three votes beat two; weighing it fully, another project and a
    # complexity of 20 against 1 leave each "elsewhere" vote 1 - 0.25 - 0.2375 of one.
    def placed(strategy: str, day: int, n: int, project: str, complexity: int) -> FixAttempt:
        made = attempt("R1", strategy, day, n=n)
        shape = {"project": project, "complexity": complexity, "complexity_measure": "cyclomatic"}
        moment = START + day * DAY  # one day's fixes are one commit's
        fields = {**made.to_json(), "context": canonical_context(shape), "time": moment}
        fields["recorded_at"] = moment
        fields["id"] = attempt_id(fields)
        return FixAttempt(**fields)

    history = [placed("elsewhere", 0, n, "b" * 20, 20) for n in range(3)]
    history += [placed("here", 0, 10 + n, "a" * 20, 1) for n in range(2)]
    history += [placed("here", 10, 20 + n, "a" * 20, 1) for n in range(2)]
    arms = arms_of(["blind:neighbours=0,context_weight=0", "aware:neighbours=0,context_weight=1"])
    found = by_name(evaluate(as_current(history), arms, fake, iterations=2))
    assert found["blind"]["overall"]["top1"] == 0.0
    assert found["aware"]["overall"]["top1"] == 1.0
