"""The fix-memory and suggest commands run in this process (click's runner), where
coverage sees them; tests/cli/test_fix.py and test_suggest.py run the real console."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookwise.checks import entry
from hookwise.cli.app import main
from tests.fixes.lines import FINDING, line, lines
from tests.gitrepo import GitRepo

DIFF = "--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1,2 +1 @@\n-import os\n import sys\n"


@pytest.fixture(autouse=True)
def no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")  # every answer computed here


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_record_list_export_import_and_suggest(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: start")
    where = ["--repo", str(repo.path)]
    records = lines(
        line(diff=DIFF, commit="c" * 40, time="2024-01-01T00:00:00Z"),
        line(strategy="add noqa", outcome="failure", time="2024-01-02T00:00:00Z"),
    ).decode()
    code, _, err = _run("fix", "record", "-", *where, stdin=records)
    assert code == 0 and err.startswith("recorded 2 fix attempts"), err
    code, out, _ = _run("fix", "list", *where)
    assert code == 0 and "ruff" in out and "F401" in out
    code, out, _ = _run("fix", "list", "--json", "--rule", "F401", *where)
    assert [a["outcome"] for a in json.loads(out)] == ["failure", "success"]
    code, exported, _ = _run("fix", "export", *where)
    assert code == 0 and len(exported.splitlines()) == 2
    other = tmp_path / "other"
    GitRepo.init(other).commit("feat: other")
    code, _, err = _run("fix", "import", "-", "--repo", str(other), stdin=exported)
    assert code == 0 and "imported 2 fix attempts" in err

    elsewhere = {**FINDING, "path": "tools/run.py", "message": "`sys` imported but unused"}
    code, out, _ = _run("suggest", "--json", "-", *where, stdin=json.dumps(elsewhere) + "\n")
    assert code == 0
    [answer] = [json.loads(x) for x in out.splitlines()]
    assert answer["finding"] == elsewhere
    assert answer["suggestions"][0]["strategy"] == "remove unused import"
    code, out, _ = _run("suggest", "-", *where, stdin=json.dumps(elsewhere) + "\n")
    assert code == 0 and "tools/run.py:1" in out and "remove unused import" in out


def test_suggest_names_a_bad_line_and_prints_nothing(repo: GitRepo) -> None:
    repo.commit("feat: start")
    assert _run("fix", "record", "-", "--repo", str(repo.path), stdin=line() + "\n")[0] == 0
    code, out, err = _run("suggest", "--json", "-", "--repo", str(repo.path), stdin="{}\nnope\n")
    assert code == 1 and out == ""
    assert "line 1" in err and "line 2" in err


def test_the_light_check_entry_in_process(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    repo.commit("feat: tool", {"tool.py": "import os\nimport sys\n\nprint(sys.argv)\n"})
    monkeypatch.chdir(repo.path)
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "."]
    assert entry.main(["--", *ruff]) == 1
    out, err = capfd.readouterr()
    assert "F401" in out and "stored 1 finding from ruff" in err
    assert entry.main(["--", "hookwise-no-such-checker"]) == 127
    assert "command not found" in capfd.readouterr().err
    assert entry.main(["--format", "nonsense", "--", "true"]) == 2
