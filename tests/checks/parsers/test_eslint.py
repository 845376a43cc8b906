from __future__ import annotations

import pytest

from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.parsers.eslint import EslintParser
from hookwise.errors import CheckOutputError
from tests.checks.tools import output_of, sample


def test_json_with_fixes_severities_and_snippets() -> None:
    findings = EslintParser().parse(output_of(sample("eslint-json")))
    assert [(f.rule, f.line, f.column, f.severity, f.fixable, f.snippet) for f in findings] == [
        ("no-var", 1, 1, "error", True, "var count = 1;"),
        ("prefer-const", 2, 5, "error", True, "let total = 2;"),
        # A suggestion is not a fix eslint --fix applies.
        ("no-unused-vars", 5, 9, "error", False, "  const unused = 3;"),
        ("eqeqeq", 6, 9, "warning", False, "  if (a == b) {"),
    ]
    assert {(f.tool, f.path, f.language) for f in findings} == {
        ("eslint", "web/app.js", "javascript")
    }


def test_a_parse_error_has_no_rule_of_its_own() -> None:
    report = (
        '[{"filePath": "a.js", "messages": [{"ruleId": null, "fatal": true, "severity": 2,'
        ' "message": "Parsing error: Unexpected token", "line": 2, "column": 3}]}]'
    )
    (finding,) = EslintParser().parse(CheckerOutput(report))
    assert (finding.rule, finding.line, finding.snippet) == ("fatal", 2, None)


def test_stylish_text_is_refused_with_what_to_do() -> None:
    assert EslintParser().parse(CheckerOutput("")) == []
    with pytest.raises(CheckOutputError, match=r"-f json"):
        EslintParser().parse(CheckerOutput("/r/a.js\n  1:1  error  Unexpected var  no-var\n"))
