"""``hookwise suggest`` through the real console script: §5's contract, bad lines, the last run."""

from __future__ import annotations

import json
import sys

import pytest

from tests.cli.console import hookwise
from tests.fixes.lines import FINDING, line, lines
from tests.gitrepo import GitRepo

DIFF = "\n".join(["--- a/pkg/mod.py", "+++ b/pkg/mod.py", "@@ -1,12 +1,2 @@", "-import os"])
DIFF += "".join(f"\n-x{i} = {i}" for i in range(11)) + "\n"


@pytest.fixture
def remembering(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """A backfilled, embedded repository (hashing embedder) with two recorded fixes, no worker."""
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    repo.commit("feat: first", {"pkg/mod.py": "import os\n"})
    assert hookwise("backfill", "-q", "--repo", str(repo.path)).returncode == 0
    assert hookwise("reindex", "-q", "--repo", str(repo.path)).returncode == 0
    records = lines(
        line(diff=DIFF, commit="c" * 40, time="2024-04-01T12:00:00Z"),
        line(strategy="noqa", outcome="failure", time="2024-04-02T12:00:00Z"),
    ).decode()
    proc = hookwise("fix", "record", "-", "--repo", str(repo.path), stdin=records)
    assert proc.returncode == 0, proc.stderr
    return repo


def _findings(*shapes: dict[str, object]) -> str:
    return "".join(json.dumps(shape) + "\n" for shape in shapes)


def test_json_follows_the_contract_in_input_order(remembering: GitRepo) -> None:
    unrelated = {"tool": "mypy", "rule": "misc", "message": "x", "path": "a.py", "line": None}
    elsewhere = {**FINDING, "path": "tools/run.py", "message": "`sys` imported but unused"}
    stdin = _findings(elsewhere, unrelated, {**FINDING, "fixable": True})
    proc = hookwise("suggest", "--json", "--repo", str(remembering.path), stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(text) for text in proc.stdout.splitlines()]
    assert [a["finding"]["path"] for a in answers] == ["tools/run.py", "a.py", "pkg/mod.py"]
    assert answers[1] == {"finding": unrelated, "suggestions": []}
    [best] = answers[0]["suggestions"]
    assert set(best) >= {"strategy", "kind", "confidence", "success_rate", "support", "examples"}
    assert (best["strategy"], best["support"], best["success_rate"]) == (
        "remove unused import",
        1,
        1.0,
    )
    assert best["examples"] == [{"commit": "c" * 40, "diff": DIFF}]
    learned, own = answers[2]["suggestions"]
    assert learned["strategy"] == "remove unused import"
    assert (own["strategy"], own["kind"], own["learned"]) == ("ruff check --fix", "autofix", False)


def test_a_bad_line_exits_1_naming_it_and_prints_nothing(remembering: GitRepo) -> None:
    stdin = _findings(FINDING) + "{oops\n" + _findings({**FINDING, "line": "one"})
    proc = hookwise("suggest", "--json", "-", "--repo", str(remembering.path), stdin=stdin)
    assert proc.returncode == 1
    assert proc.stdout == ""
    err = proc.stderr.splitlines()
    assert err[0].startswith("hookwise: line 2: not JSON")
    assert err[1].startswith("hookwise: line 3: a finding's 'line' must be a whole number")
    assert err[2] == "hookwise: nothing suggested; correct the lines and try again"


def test_the_terminal_view_is_compact(remembering: GitRepo) -> None:
    unrelated = {"tool": "mypy", "rule": "misc", "message": "x", "path": "a.py", "line": 2}
    proc = hookwise("suggest", "--repo", str(remembering.path), stdin=_findings(FINDING, unrelated))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == "pkg/mod.py:1: ruff F401 `os` imported but unused"
    assert out[1].startswith("  remove unused import  (delete, ")
    assert out[1].endswith("% confident, worked 1 of 1)")
    assert out[2] == f"    as in {'c' * 12}:"
    assert out[3:11] == ["    @@ -1,12 +1,2 @@", "    -import os"] + [
        f"    -x{i} = {i}" for i in range(6)
    ]
    assert out[11] == "    (5 more lines)"
    assert len(out) == 12  # nothing for the finding nobody knows


def test_without_stdin_the_last_check_runs_findings(remembering: GitRepo) -> None:
    remembering.commit("feat: tools", {"tools/run.py": "import sys\n"})
    ruff = [sys.executable, "-m", "ruff", "check", "."]
    check = hookwise("check", "--repo", str(remembering.path), "--", *ruff)
    assert check.returncode == 1, check.stderr
    proc = hookwise("suggest", "--json", "--repo", str(remembering.path), stdin="")
    assert proc.returncode == 0, proc.stderr
    answers = {a["finding"]["path"]: a for a in map(json.loads, proc.stdout.splitlines())}
    assert set(answers) == {"pkg/mod.py", "tools/run.py"}
    strategies = [s["strategy"] for s in answers["tools/run.py"]["suggestions"]]
    assert strategies == ["remove unused import", "ruff check --fix"]


def test_without_a_store(repo: GitRepo) -> None:
    repo.commit("first")
    proc = hookwise("suggest", "--repo", str(repo.path), stdin="", HOOKWISE_NO_WORKER="1")
    assert proc.returncode == 1
    assert "run `hookwise init` first" in proc.stderr


def test_patterns_from_other_projects_follow_the_local_ones_labelled(remembering: GitRepo) -> None:
    from hookwise.git.repo import discover
    from hookwise.store.db import Store
    from tests.store.pulled import pattern_row, store_patterns

    store = Store.open(discover(remembering.path))
    four = {"success": 0.82, "support": 37.0, "repos": ["api", "cli", "docs", "web"]}
    store_patterns(store, pattern_row("add to __all__", kind="exports", **four))
    stdin = _findings(FINDING)
    proc = hookwise("suggest", "--repo", str(remembering.path), stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[1].startswith("  remove unused import  (")
    assert out[2] == "  add to __all__  (exports, other projects: 4 repos, 82% of 37)"
    proc = hookwise("suggest", "--json", "--repo", str(remembering.path), stdin=stdin)
    [answer] = [json.loads(text) for text in proc.stdout.splitlines()]
    local, pulled = answer["suggestions"]
    assert "source" not in local
    assert (pulled["strategy"], pulled["source"], pulled["repos"]) == (
        "add to __all__",
        "other projects",
        4,
    )
    assert (pulled["success_rate"], pulled["support"], pulled["confidence"]) == (0.82, 37, None)
