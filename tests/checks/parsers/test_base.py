from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.checks.parsers.base import CheckerOutput, load_json, relative_path
from hookwise.errors import CheckOutputError


@pytest.mark.parametrize(
    ("path", "cwd", "expected"),
    [
        ("/repo/src/a.py", Path("/repo"), "src/a.py"),
        ("/repo/src/a.py", Path("/repo/"), "src/a.py"),
        ("/repository/a.py", Path("/repo"), "/repository/a.py"),
        ("/elsewhere/a.py", Path("/repo"), "/elsewhere/a.py"),
        ("./src/a.py", Path("/repo"), "src/a.py"),
        ("src/a.py", None, "src/a.py"),
    ],
)
def test_paths_are_made_relative_to_where_the_checker_ran(
    path: str, cwd: Path | None, expected: str
) -> None:
    assert relative_path(path, cwd) == expected


def test_json_errors_say_where_and_what_to_do() -> None:
    assert load_json(CheckerOutput("  \n"), "ruff", "hint") is None
    with pytest.raises(
        CheckOutputError, match=r"ruff's output is not JSON .*; ask ruff for JSON"
    ) as caught:
        load_json(CheckerOutput("Traceback (most recent call last):"), "ruff", "ask ruff for JSON")
    assert caught.value.tool == "ruff"
