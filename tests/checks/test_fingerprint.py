from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import (
    MAX_SNIPPET_LINES,
    fingerprint,
    fingerprints,
    normalise,
    snippet_at,
    with_snippets,
)

SOURCE = ["import os", "", "def f(x):", "    return  undefined + x", "", "print(f(1))"]
# Lines that are code but not the code at the finding.
other_lines = st.lists(
    st.text(alphabet="abcdefxyz =()+#:'\"0123456789 \t", max_size=30).filter(
        lambda line: normalise(line) != normalise(SOURCE[3])
    ),
    max_size=20,
)


def finding_in(lines: list[str], line: int, **changes: str) -> Finding:
    finding = Finding("ruff", "F821", "Undefined name `undefined`", "src/m.py", line)
    finding = finding.replace(**changes) if changes else finding
    return finding.replace(snippet=snippet_at(lines, line))


@given(above=other_lines, below=other_lines, removed=st.integers(0, 3))
def test_unrelated_lines_added_or_removed_above_keep_the_fingerprint(
    above: list[str], below: list[str], removed: int
) -> None:
    before = finding_in(SOURCE, 4)
    edited = above + SOURCE[removed:3] + [SOURCE[3]] + below + SOURCE[4:]
    after = finding_in(edited, len(above) + (3 - removed) + 1)
    assert after.line is not None and before.line is not None
    assert after.line - before.line == len(above) - removed  # it really moved
    assert fingerprint(after) == fingerprint(before)


@given(indent=st.text(alphabet=" \t", max_size=8), inner=st.sampled_from([" ", "  ", "\t"]))
def test_reindenting_keeps_the_fingerprint(indent: str, inner: str) -> None:
    moved = [*SOURCE[:3], f"{indent}return{inner}undefined + x", *SOURCE[4:]]
    assert fingerprint(finding_in(moved, 4)) == fingerprint(finding_in(SOURCE, 4))


@given(other=st.text(min_size=1, max_size=20))
def test_another_rule_path_or_snippet_changes_it(other: str) -> None:
    base = finding_in(SOURCE, 4)
    for changed in (
        base.replace(rule=base.rule + other),
        base.replace(path=base.path + other),
        base.replace(snippet=f"{base.snippet} {other}" if normalise(other) else "x"),
    ):
        assert fingerprint(changed) != fingerprint(base)


def test_identifiers_and_literals_are_kept() -> None:
    base = finding_in(SOURCE, 4)
    assert fingerprint(base.replace(snippet="return undefined + y")) != fingerprint(base)
    assert fingerprint(base.replace(snippet="return undefined + 1")) != fingerprint(
        base.replace(snippet="return undefined + 2")
    )


def test_the_message_stands_in_when_there_is_no_source() -> None:
    finding = Finding("mypy", "misc", "Overloads defined on line 12 overlap", "gone.py", 40)
    moved = finding.replace(line=45, message="Overloads  defined on line 17 overlap")
    assert fingerprint(moved) == fingerprint(finding)
    assert fingerprint(finding.replace(message="another")) != fingerprint(finding)
    # A blank snippet says nothing either.
    assert fingerprint(finding.replace(snippet="  \n")) == fingerprint(finding)


def test_the_line_number_is_not_part_of_it() -> None:
    base = finding_in(SOURCE, 4)
    assert fingerprint(base.replace(line=400, column=3)) == fingerprint(base)


def test_repeats_are_told_apart_by_their_order() -> None:
    first = Finding("ruff", "F401", "unused", "a.py", 1, snippet="import os")
    second = first.replace(line=9)
    other = first.replace(rule="E401")
    ids = fingerprints([first, other, second, first.replace(line=20)])
    base = fingerprint(first)
    assert ids == [base, fingerprint(other), f"{base}:1", f"{base}:2"]


def test_snippets_span_the_finding_within_a_bound() -> None:
    lines = [f"line {n}" for n in range(1, 20)]
    assert snippet_at(lines, 2) == "line 2"
    assert snippet_at(lines, 2, 3) == "line 2\nline 3"
    assert snippet_at(lines, 1, 19) == "\n".join(lines[:MAX_SNIPPET_LINES])
    assert snippet_at(lines, 19, 30) == "line 19"
    assert snippet_at(lines, 5, 2) == "line 5"
    assert snippet_at(lines, 20) is None
    assert snippet_at(lines, 0) is None
    assert snippet_at(lines, None) is None


def test_snippets_are_read_from_the_files(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text("\n".join(SOURCE) + "\n")
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe\x00")
    findings = [
        Finding("ruff", "F821", "m", "src/m.py", 4),
        Finding("ruff", "F401", "m", "src/m.py", 1, snippet="kept as given"),
        Finding("ruff", "F401", "m", "deleted.py", 1),
        Finding("ruff", "F401", "m", "binary.py", 1),
        Finding("pytest", "ValueError", "m", "src/m.py", None),
    ]
    filled = with_snippets(findings, tmp_path)
    assert [finding.snippet for finding in filled] == [
        "    return  undefined + x",
        "kept as given",
        None,
        None,
        None,
    ]
