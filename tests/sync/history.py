"""A repository whose every sync figure is known: ``week_of_work`` plus checks and fixes."""

from __future__ import annotations

import json
from datetime import date, datetime

from hookwise.fixes.record import record
from hookwise.store.db import Store
from hookwise.store.fixes import add_check_run


def local_noon(day: date, minute: int = 0) -> int:
    """Noon of ``day`` on this machine's clock, where a check run's day is read."""
    return int(datetime(day.year, day.month, day.day, 12, minute).timestamp())


def finding(name: str, path: str = "src/app/core.py") -> dict[str, object]:
    return {
        "tool": "ruff",
        "rule": "F401",
        "message": f"`{name}` imported but unused",
        "path": path,
        "line": 3,
        "snippet": f"import {name}",
    }


def fix(name: str, outcome: str, when: int, **more: object) -> str:
    moment = datetime.fromtimestamp(when).astimezone().isoformat()
    line = {
        "finding": finding(name),
        "strategy": "remove `import a`",
        "kind": "imports",
        "outcome": outcome,
        "time": moment,
        **more,
    }
    return json.dumps(line)


def add_checks_and_fixes(store: Store, day: date) -> None:
    """On ``day``: two check runs; three F401 fixes (two worked) and one E501 suppression."""
    for n in range(2):
        add_check_run(
            store,
            {
                "id": f"run-{day}-{n}",
                "tool": "ruff",
                "command": ["ruff", "check"],
                "exit_code": 1,
                "duration_ms": 40,
                "head": None,
                "time": local_noon(day, n),
                "finding_count": 1,
            },
            [],
        )
    lines = [
        fix("os", "success", local_noon(day, 1), diff="-import os\n"),
        fix("json", "success", local_noon(day, 2), diff="-import json\n"),
        fix("re", "failure", local_noon(day, 3)),
        json.dumps(
            {
                "finding": {
                    "tool": "ruff",
                    "rule": "E501",
                    "message": "Line too long (120 > 100)",
                    "path": "src/app/cli.py",
                    "line": 9,
                },
                "strategy": "add `# noqa: E501`",
                "kind": "suppress",
                "outcome": "success",
                "time": datetime.fromtimestamp(local_noon(day, 4)).astimezone().isoformat(),
            }
        ),
    ]
    result = record(store, "\n".join(lines).encode())
    assert result.recorded == 4 and not result.bad
