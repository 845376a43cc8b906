from __future__ import annotations

from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.parsers.lines import FLAKE8, GENERIC, PYCODESTYLE, PYLINT, LineParser
from tests.checks.tools import output_of, sample

PEP8 = [("E271", 10, 4), ("E201", 10, 13), ("E202", 10, 20), ("E501", 16, 80)]


def test_flake8() -> None:
    findings = FLAKE8.parse(output_of(sample("flake8")))
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("F401", 1, 1),
        ("F401", 2, 1),
        ("F841", 6, 5),
        *PEP8[:3],
        ("F821", 11, 12),
        PEP8[3],
    ]
    assert findings[-1].message == "line too long (98 > 79 characters)"
    assert {(f.tool, f.path) for f in findings} == {("flake8", "pkg/mod.py")}


def test_pycodestyle() -> None:
    findings = PYCODESTYLE.parse(output_of(sample("pycodestyle")))
    assert [(f.rule, f.line, f.column) for f in findings] == PEP8
    assert findings[0].message == "multiple spaces after keyword"


def test_pylint_counts_columns_from_zero() -> None:
    findings = PYLINT.parse(output_of(sample("pylint")))
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("C0114", 1, 1),
        ("C0116", 5, 1),
        ("W0612", 6, 5),
        ("C0116", 10, 1),
        ("E0602", 11, 12),
        ("C0116", 14, 1),
        ("W0611", 1, 1),
        ("W0611", 2, 1),
    ]
    assert findings[4].message == "Undefined variable 'undefined_name' (undefined-variable)"


def test_the_generic_fallback_reads_compiler_style_lines() -> None:
    text = (
        "x.sh:3:8: warning: Double quote to prevent globbing. [SC2086]\n"
        "x.sh:4:1: note: an explanation, not a finding\n"
        "./src/y.c:10: error: expected ';'\n"
        "z.py:2: something odd\n"
        "In file included from a.h\n"
        "12 problems\n"
    )
    findings = LineParser("generic", "shellcheck").parse(CheckerOutput(text, cwd=None))
    assert [
        (f.tool, f.rule, f.path, f.line, f.column, f.severity, f.message) for f in findings
    ] == [
        ("shellcheck", "SC2086", "x.sh", 3, 8, "warning", "Double quote to prevent globbing."),
        ("shellcheck", "", "src/y.c", 10, None, "error", "expected ';'"),
        ("shellcheck", "", "z.py", 2, None, None, "something odd"),
    ]
    assert GENERIC.parse(CheckerOutput("")) == []
