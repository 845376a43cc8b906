from __future__ import annotations

import pytest

from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.parsers.ruff import RuffParser
from hookwise.errors import CheckOutputError
from tests.checks.tools import output_of, sample

EXPECTED = [
    ("F401", 1, 8, True, "`os` imported but unused"),
    ("F401", 2, 8, True, "`sys` imported but unused"),
    # F841's fix is unsafe: ruff check --fix leaves it, so it is not fixable.
    ("F841", 6, 5, False, "Local variable `unused` is assigned to but never used"),
    ("F821", 11, 12, False, "Undefined name `undefined_name`"),
]


@pytest.mark.parametrize("name", ["ruff-json", "ruff-concise", "ruff-full"])
def test_every_format_gives_the_same_findings(name: str) -> None:
    findings = RuffParser().parse(output_of(sample(name)))
    assert [(f.rule, f.line, f.column, f.fixable, f.message) for f in findings] == EXPECTED
    assert {(f.tool, f.path, f.language) for f in findings} == {("ruff", "pkg/mod.py", "python")}


def test_json_keeps_the_end_line_and_severity() -> None:
    findings = RuffParser().parse(output_of(sample("ruff-json")))
    assert [(f.end_line, f.severity) for f in findings] == [
        (1, "error"),
        (2, "error"),
        (6, "error"),
        (11, "error"),
    ]


def test_code_ruff_cannot_parse_is_a_finding() -> None:
    concise = "bad.py:1:7: invalid-syntax: Expected a parameter\nFound 1 error.\n"
    (finding,) = RuffParser().parse(CheckerOutput(concise, exit_code=1))
    assert (finding.rule, finding.path, finding.line, finding.message) == (
        "invalid-syntax",
        "bad.py",
        1,
        "Expected a parameter",
    )


def test_a_clean_run_and_broken_json() -> None:
    assert RuffParser().parse(CheckerOutput("All checks passed!\n")) == []
    assert RuffParser().parse(CheckerOutput("[]\n")) == []
    with pytest.raises(CheckOutputError, match="ruff's output is not JSON"):
        RuffParser().parse(CheckerOutput('[{"code": "F401",'))
