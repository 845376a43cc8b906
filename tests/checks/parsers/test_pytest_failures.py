from __future__ import annotations

import pytest

from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.parsers.pytest_failures import PytestParser
from tests.checks.tools import output_of, sample

ID = "tests/test_sample.py::"
EXPECTED = [
    ("AssertionError", 13, f"{ID}test_assertion - AssertionError: assert 2 == 3", "failed"),
    # The summary cuts this message ("invalid li..."); the traceback has it whole.
    (
        "ValueError",
        5,
        f"{ID}test_raises_inside_code - ValueError: invalid literal for int() with base 10: 'two'",
        "failed",
    ),
    (
        "ValueError",
        5,
        f"{ID}TestGroup::test_param[x] - ValueError: invalid literal for int() with base 10: 'x'",
        "failed",
    ),
    ("RuntimeError", 28, f"{ID}test_setup_error - RuntimeError: fixture failed", "error"),
]


@pytest.mark.parametrize("name", ["pytest-long", "pytest-short"])
def test_failures_with_their_exception_and_place(name: str) -> None:
    findings = PytestParser().parse(output_of(sample(name)))
    assert [(f.rule, f.line, f.message, f.severity) for f in findings] == EXPECTED
    assert {(f.tool, f.path) for f in findings} == {("pytest", "tests/test_sample.py")}


def test_without_tracebacks_the_summary_is_all_there_is() -> None:
    findings = PytestParser().parse(output_of(sample("pytest-no-traceback")))
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("AssertionError", "tests/test_sample.py", None),
        ("ValueError", "tests/test_sample.py", None),
        ("ValueError", "tests/test_sample.py", None),
        ("RuntimeError", "tests/test_sample.py", None),
    ]
    assert findings[1].message == f"{ID}test_raises_inside_code - ValueError: invalid li..."


def test_a_module_that_does_not_import_and_a_library_frame() -> None:
    text = """\
==================================== ERRORS ====================================
____________________ ERROR collecting tests/test_broken.py _____________________
ImportError while importing test module '/r/tests/test_broken.py'.
Traceback:
/usr/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
tests/test_broken.py:1: in <module>
    import nosuchmod
E   ModuleNotFoundError: No module named 'nosuchmod'
=================================== FAILURES ===================================
___________________________________ test_lib ___________________________________
tests/test_lib.py:4: in test_lib
    json.loads("{")
/usr/lib/python3.11/json/__init__.py:346: in loads
    return _default_decoder.decode(s)
E   json.decoder.JSONDecodeError: Expecting property name: line 1 column 2 (char 1)
=========================== short test summary info ============================
ERROR tests/test_broken.py
FAILED tests/test_lib.py::test_lib - json.decoder.JSONDecodeError: Expecting p...
"""
    broken, library = PytestParser().parse(CheckerOutput(text, exit_code=2))
    assert (broken.rule, broken.path, broken.line) == (
        "ModuleNotFoundError",
        "tests/test_broken.py",
        1,
    )
    assert (
        broken.message == "tests/test_broken.py - ModuleNotFoundError: No module named 'nosuchmod'"
    )
    # The project's own frame, not the library's, is the place to fix.
    assert (library.rule, library.path, library.line) == (
        "json.decoder.JSONDecodeError",
        "tests/test_lib.py",
        4,
    )


def test_a_passing_run_has_no_findings() -> None:
    assert PytestParser().parse(CheckerOutput("..  [100%]\n2 passed in 0.01s\n")) == []
