from __future__ import annotations

import pytest

from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.parsers.mypy import MypyParser
from tests.checks.tools import output_of, sample

EXPECTED = [
    ("return-value", 7, 12, 'Incompatible return value type (got "str", expected "int")'),
    ("name-defined", 11, 12, 'Name "undefined_name" is not defined'),
    ("arg-type", 15, 11, 'Argument 1 to "greet" has incompatible type "int"; expected "str"'),
]


@pytest.mark.parametrize("name", ["mypy-columns", "mypy-json"])
def test_text_with_columns_and_json_agree(name: str) -> None:
    findings = MypyParser().parse(output_of(sample(name)))
    assert [(f.rule, f.line, f.column, f.message) for f in findings] == EXPECTED
    assert {(f.tool, f.path, f.severity) for f in findings} == {("mypy", "pkg/mod.py", "error")}


def test_plain_text_has_no_columns() -> None:
    findings = MypyParser().parse(output_of(sample("mypy-text")))
    assert [(f.rule, f.line, f.column) for f in findings] == [
        (r, line, None) for r, line, _, _ in EXPECTED
    ]


def test_notes_are_not_findings_and_codes_may_be_hidden() -> None:
    text = (
        "a.py:3: error: Missing return statement\n"
        "a.py:3: note: See https://mypy.rtfd.io/en/stable/_refs.html#code-return for more info\n"
        '{"file": "a.py", "line": 4, "column": 0, "message": "n", "hint": null,'
        ' "code": "x", "severity": "note"}\n'
        "Found 1 error in 1 file (checked 1 source file)\n"
    )
    (finding,) = MypyParser().parse(CheckerOutput(text, exit_code=1))
    assert (finding.rule, finding.line, finding.message) == ("error", 3, "Missing return statement")
