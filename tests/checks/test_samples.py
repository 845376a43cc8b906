"""The real tools, run again where installed, against the captured samples.

Each case runs its tool on the files with known problems in ``tmp_path``
and parses what it printed: the findings must be the ones the sample
gives (same rules, places and fixability; messages too when the version is
the sample's), so a tool release that changes its output fails here and
the sample is captured again (``python -m tests.checks.tools``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.checks.findings import Finding
from hookwise.checks.registry import parser_for_command
from tests.checks.tools import CASES, output_of, sample


def places(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.tool, f.rule, f.path, f.line, f.column, f.fixable) for f in findings]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_real_tool_still_prints_what_the_sample_holds(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    directory = tmp_path / "sample"
    directory.mkdir()
    fresh = case.run(directory)
    stored = sample(name)
    assert stored["command"] == case.command()
    parser = parser_for_command(case.command())
    found, expected = parser.parse(output_of(fresh)), parser.parse(output_of(stored))
    assert expected, f"the sample of {name} holds no findings"
    assert fresh["exit_code"] == stored["exit_code"]
    assert places(found) == places(expected)
    if fresh["version"] == stored["version"]:
        assert found == expected
