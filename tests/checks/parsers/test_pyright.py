from __future__ import annotations

import pytest

from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.parsers.pyright import PyrightParser
from hookwise.errors import CheckOutputError
from tests.checks.tools import output_of, sample


def test_json_counts_from_one_and_paths_become_relative() -> None:
    findings = PyrightParser().parse(output_of(sample("pyright-json")))
    assert [(f.rule, f.path, f.line, f.column, f.end_line) for f in findings] == [
        ("reportReturnType", "pkg/mod.py", 7, 12, 7),
        ("reportUndefinedVariable", "pkg/mod.py", 11, 12, 11),
        ("reportArgumentType", "pkg/mod.py", 15, 11, 15),
    ]
    assert findings[1].message == '"undefined_name" is not defined'
    # The reason a type does not fit is the message's second line, kept.
    assert findings[0].message.splitlines()[1].strip() == '"str" is not assignable to "int"'


def test_text_gives_what_json_gives() -> None:
    text = PyrightParser().parse(output_of(sample("pyright-text")))
    json = PyrightParser().parse(output_of(sample("pyright-json")))
    assert [(f.rule, f.path, f.line, f.column, f.message) for f in text] == [
        (f.rule, f.path, f.line, f.column, f.message) for f in json
    ]


def test_a_diagnostic_without_a_rule_is_named_by_its_severity() -> None:
    report = (
        '{"generalDiagnostics": [{"file": "/r/a.py", "severity": "error", "message": "x",'
        ' "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}}]}'
    )
    (finding,) = PyrightParser().parse(CheckerOutput(report, cwd=None))
    assert (finding.rule, finding.path, finding.line, finding.column) == ("error", "/r/a.py", 1, 1)


def test_json_without_diagnostics_is_refused() -> None:
    with pytest.raises(CheckOutputError, match="pyright's output has no list of diagnostics"):
        PyrightParser().parse(CheckerOutput('{"version": "1"}'))
