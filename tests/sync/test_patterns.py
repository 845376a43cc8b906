"""Fix patterns: signatures without code, decayed success and support, code only on request."""

from __future__ import annotations

import pytest

from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.memory import CurrentAttempt
from hookwise.sync.patterns import fix_patterns, signature

DAY = 86_400


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("`os` imported but unused", "`<name>` imported but unused"),
        ('Name "frobnicate" is not defined', 'Name "<name>" is not defined'),
        ("Line too long (120 > 100)", "Line too long (N > N)"),
        ("Module src/app/core.py has no attribute 'x1'", "Module <path> has no attribute '<name>'"),
        ("can't assign to literal", "can't assign to literal"),
        ("", "(no message)"),
    ],
)
def test_signature_takes_out_names_paths_and_numbers(message: str, expected: str) -> None:
    assert signature(message) == expected


def attempt(
    n: int, outcome: str, time: int, *, kind: str = "imports", source: str = "manual", **more: str
) -> CurrentAttempt:
    fields = {
        "id": f"a{n}",
        "tool": "ruff",
        "rule": "F401",
        "message": f"`name{n}` imported but unused",
        "path": f"pkg/m{n}.py",
        "snippet": f"import name{n}",
        "fingerprint": f"f{n}",
        "language": "python",
        "strategy": "remove `import a`",
        "kind": kind,
        "source": source,
        "outcome": outcome,
        "commit": None,
        "diff": f"-import name{n}\n",
        "context": None,
        "confirms": None,
        "time": time,
        "recorded_at": time,
        **more,
    }
    return CurrentAttempt(FixAttempt(**fields), outcome, None)  # type: ignore[arg-type]


def test_success_and_support_decay_behind_the_newest_attempt() -> None:
    now = 1_700_000_000
    attempts = [
        attempt(1, "success", now),
        attempt(2, "failure", now - 90 * DAY),  # one half-life older: counts 0.5
        attempt(3, "success", now - 180 * DAY),  # two: 0.25
        attempt(4, "pending", now),  # no outcome yet
        attempt(5, "success", now, source="suggested"),  # what hookwise proposed
    ]
    [pattern] = fix_patterns(attempts, "api")
    assert pattern.signature == "`<name>` imported but unused"
    assert pattern.support == pytest.approx(1.75)
    assert pattern.success == pytest.approx(1.25 / 1.75, abs=1e-6)
    assert pattern.example is None
    assert "name1" not in str(pattern.to_json()) and "pkg/" not in str(pattern.to_json())


def test_an_example_only_when_asked_the_newest_success() -> None:
    now = 1_700_000_000
    attempts = [
        attempt(1, "success", now - DAY),
        attempt(2, "success", now),
        attempt(3, "failure", now + 1),
    ]
    [pattern] = fix_patterns(attempts, "api", include_code=True)
    assert pattern.example == "-import name2\n"


def test_the_kind_most_attempts_had() -> None:
    now = 1_700_000_000
    attempts = [
        attempt(1, "success", now - 2, kind="delete"),
        attempt(2, "success", now - 1, kind="delete"),
        attempt(3, "success", now, kind="imports"),
    ]
    assert fix_patterns(attempts, "api")[0].kind == "delete"
    assert fix_patterns(attempts[1:], "api")[0].kind == "imports"  # a tie: the newest's
