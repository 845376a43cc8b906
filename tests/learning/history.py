"""Constructed histories whose answers are known, as fix attempts in memory."""

from __future__ import annotations

from typing import Any

from hookwise.fixes.attempt import FixAttempt, attempt_id
from hookwise.fixes.memory import CurrentAttempt

DAY = 86_400
START = 1_700_000_000


def attempt(
    rule: str, strategy: str, day: int, *, outcome: str = "success", n: int = 0
) -> FixAttempt:
    """An attempt at ``rule`` on ``day`` (``n`` tells apart attempts of one day)."""
    fields: dict[str, Any] = {
        "tool": "ruff",
        "rule": rule,
        "message": f"problem {rule} number {n}",
        "path": f"pkg/mod{n}.py",
        "snippet": None,
        "fingerprint": f"{rule}-{n}",
        "language": "python",
        "strategy": strategy,
        "kind": "rewrite",
        "source": "manual",
        "outcome": outcome,
        "commit": None,
        "diff": None,
        "context": None,
        "confirms": None,
        "time": START + day * DAY + n,
    }
    return FixAttempt(id=attempt_id(fields), recorded_at=fields["time"], **fields)


def as_current(attempts: list[FixAttempt]) -> list[CurrentAttempt]:
    return [CurrentAttempt(a, a.outcome, None) for a in attempts]


def consistent(rules: int = 6, per_rule: int = 8) -> list[FixAttempt]:
    """Each rule always fixed by its own strategy, the days interleaved across rules."""
    return [
        attempt(f"R{r}", f"fix R{r}", day=i, n=r) for i in range(per_rule) for r in range(rules)
    ]
