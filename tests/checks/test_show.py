"""The suggestions printed under a failing check: compact, coloured only when asked."""

from __future__ import annotations

from typing import Any

from hookwise.checks.show import MAX_DIFF_LINES, MAX_FINDINGS, render

FINDING = {"tool": "ruff", "rule": "F401", "message": "`os` imported but unused", "path": "m.py"}
DIFF = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1 @@\n-import os\n import sys\n" + "+x\n" * 20


def suggestion(strategy: str, **fields: Any) -> dict[str, Any]:
    shape = {
        "strategy": strategy,
        "kind": "imports",
        "confidence": 0.8,
        "success_rate": 0.9,
        "support": 10,
        "examples": [{"commit": "0123456789abcdef", "diff": DIFF}],
    }
    return shape | fields


def answer(*suggestions: dict[str, Any], line: int = 1) -> dict[str, Any]:
    return {"finding": {**FINDING, "line": line}, "suggestions": list(suggestions)}


def test_nothing_is_printed_when_nothing_helps() -> None:
    assert render((answer(), answer(line=2)), colour=False) == ""
    assert render((), colour=False) == ""


def test_three_strategies_and_one_short_diff_per_finding() -> None:
    text = render((answer(*(suggestion(f"s{n}") for n in range(5))), answer(line=9)), colour=False)
    lines = text.splitlines()
    assert lines[0] == "hookwise: what fixed these before, in this repository:"
    assert lines[1] == "  F401 m.py:1  `os` imported but unused"
    assert lines[2] == "    s0  imports · worked 9 of 10 (90%) · confidence 0.80"
    assert lines[3] == "      from 0123456789ab"
    diff = lines[4 : 4 + MAX_DIFF_LINES]
    assert diff[:3] == ["      @@ -1,2 +1 @@", "      -import os", "      +x"]
    assert [line.strip() for line in lines[4 + MAX_DIFF_LINES :]] == [
        "s1  imports · worked 9 of 10 (90%) · confidence 0.80",
        "s2  imports · worked 9 of 10 (90%) · confidence 0.80",
    ]
    assert "\x1b[" not in text


def test_colour_codes_only_with_colour() -> None:
    text = render((answer(suggestion("remove unused import")),), colour=True)
    assert "\x1b[1mF401\x1b[0m" in text and "\x1b[31m-import os\x1b[0m" in text


def test_a_screenful_of_findings_then_a_count() -> None:
    many = tuple(answer(suggestion("s"), line=n) for n in range(1, MAX_FINDINGS + 4))
    lines = render(many, colour=False).splitlines()
    assert lines[-1] == "  ... and 3 more with suggestions: run `hookwise suggest`"


def test_the_prior_says_where_its_suggestions_come_from() -> None:
    text = render((answer(suggestion("s", examples=[])),), colour=False, source="prior")
    assert text.splitlines()[0] == "hookwise: what fixed these before, for the same rule:"
    assert "from " not in text  # no example to show


def test_a_pattern_from_other_projects_is_labelled_after_the_local_ones() -> None:
    pulled = suggestion(
        "remove the import", confidence=None, success_rate=0.82, support=37, examples=[]
    )
    pulled |= {"source": "other projects", "repos": 4}
    text = render((answer(suggestion("noqa"), pulled),), colour=False)
    lines = text.splitlines()
    assert (
        lines[0] == "hookwise: what fixed these before, in this repository and in other projects:"
    )
    assert lines[-1] == "    remove the import  imports · (other projects: 4 repos, 82% of 37)"
    alone = render((answer(pulled | {"repos": 1}),), colour=False).splitlines()
    assert alone[-1].endswith("(other projects: 1 repo, 82% of 37)")
