from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookwise.checks.findings import Finding, language_of
from hookwise.errors import UsageError

texts = st.text(max_size=40)
lines = st.none() | st.integers(min_value=1, max_value=100_000)
findings = st.builds(
    Finding,
    tool=texts,
    rule=texts,
    message=texts,
    path=st.sampled_from(["src/a.py", "web/app.js", "lib/x.ts", "Makefile", "doc.md"]),
    line=lines,
    column=lines,
    end_line=lines,
    severity=st.none() | st.sampled_from(["error", "warning"]),
    fixable=st.booleans(),
    snippet=st.none() | texts,
    language=st.none() | st.sampled_from(["python", "rust"]),
)


@given(findings)
def test_json_round_trip(finding: Finding) -> None:
    assert Finding.from_json(json.loads(json.dumps(finding.to_json()))) == finding


def test_the_design_shape_is_read_and_written() -> None:
    shape = {"tool": "ruff", "rule": "F401", "message": "unused", "path": "a/b.py", "line": 3}
    finding = Finding.from_json(shape)
    assert finding.language == "python"
    assert finding.to_json() == {**shape, "language": "python"}


def test_fields_that_say_nothing_are_left_out() -> None:
    finding = Finding("pytest", "ValueError", "boom", "Makefile", None)
    assert finding.to_json() == {
        "tool": "pytest",
        "rule": "ValueError",
        "message": "boom",
        "path": "Makefile",
        "line": None,
    }


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a.py", "python"),
        ("x/y.PYI", "python"),
        ("app.mjs", "javascript"),
        ("c.tsx", "typescript"),
        ("README", None),
    ],
)
def test_language_comes_from_the_extension(path: str, language: str | None) -> None:
    assert language_of(path) == language
    assert Finding("t", "r", "m", path, 1).language == language


def test_an_explicit_language_wins() -> None:
    assert Finding("t", "r", "m", "a.py", 1, language="cython").language == "cython"


@pytest.mark.parametrize(
    ("shape", "named"),
    [
        ([], "JSON object"),
        ({"rule": "r", "message": "m", "path": "p", "line": 1}, "'tool'"),
        ({"tool": "t", "rule": "r", "message": "m", "path": "p"}, "'line'"),
        ({"tool": "t", "rule": "r", "message": "m", "path": "p", "line": "3"}, "'line'"),
        ({"tool": "t", "rule": "r", "message": "m", "path": "p", "line": 0}, "'line'"),
        ({"tool": "t", "rule": "r", "message": "m", "path": "p", "line": True}, "'line'"),
        (
            {"tool": "t", "rule": "r", "message": "m", "path": "p", "line": 1, "fixable": 1},
            "'fixable'",
        ),
        ({"tool": "t", "rule": 5, "message": "m", "path": "p", "line": 1}, "'rule'"),
        (
            {"tool": "t", "rule": "r", "message": "m", "path": "p", "line": 1, "snippet": 2},
            "'snippet'",
        ),
    ],
)
def test_a_bad_finding_is_refused_naming_the_field(shape: object, named: str) -> None:
    with pytest.raises(UsageError, match=named):
        Finding.from_json(shape)
