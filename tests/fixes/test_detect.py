"""``hookwise.fixes.detect``: fixes seen between two real ruff runs in a real repository."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from hookwise.capture import checkrun
from hookwise.checks.run import check
from hookwise.fixes.context import repository_id
from hookwise.fixes.detect import detect_fixes
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import (
    CheckRunRow,
    FindingRow,
    FixAttemptRow,
    add_check_run,
    check_runs,
    findings_of,
    fix_attempts,
)
from tests.gitrepo import GitRepo

RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated"]
UNUSED_IMPORT = "import os\nimport sys\n\nprint(sys.argv)\n"
UNUSED_NAME = "def f():\n    x = 1\n    return 2\n"


def checked(
    repo: GitRepo, *targets: str, command: list[str] = RUFF, folder: str = ""
) -> tuple[CheckRunRow, list[FindingRow], str]:
    """Run ruff on ``targets`` (all of the repository without) and return the stored run.

    ``hookwise check`` spools the run; it is stored here as the worker would,
    without the worker's own detection, which these tests call themselves.
    """
    paths = discover(repo.path)
    store = Store.open(paths)
    out, err = io.BytesIO(), io.BytesIO()
    cwd = repo.path / folder if folder else repo.path
    result = check([*command, *(targets or (".",))], cwd=cwd, stdout=out, stderr=err)
    assert result.problem is None, result.problem
    [spooled] = [p for p in paths.spool_dir.iterdir() if checkrun.is_check_run(p.name)]
    run, found, _, where = checkrun.read(spooled)
    spooled.unlink()
    add_check_run(store, run, found)  # type: ignore[arg-type]
    return run, findings_of(store, run["id"]), where  # type: ignore[return-value]


def detect(repo: GitRepo, *targets: str, folder: str = "") -> list[FixAttemptRow]:
    """Check (from ``folder`` of the repository), detect, and return the attempts added."""
    paths = discover(repo.path)
    store = Store.open(paths)
    known = {row["id"] for row in fix_attempts(store)}
    run, findings, where = checked(repo, *targets, folder=folder)
    added = detect_fixes(store, paths, run, findings, folder=where)
    new = [row for row in fix_attempts(store) if row["id"] not in known]
    assert added == len(new)
    return new


def committed_time(repo: GitRepo, sha: str) -> int:
    return int(repo.git("show", "-s", "--format=%ct", sha))


def test_a_run_from_a_subfolder_judges_only_that_folder(repo: GitRepo) -> None:
    """``cd docs && hookwise check -- ruff check .`` looks at docs/ alone.

    It used to be read as run from the top, as ``ruff check .`` over the whole
    repository, so the top's unused import, which it never looked at, was
    recorded as fixed.
    """
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT, "docs/conf.py": UNUSED_IMPORT})
    assert detect(repo) == []
    edited = "import os  # still unused\n" + UNUSED_IMPORT.removeprefix("import os\n")
    fixed = UNUSED_IMPORT.replace("import os\n", "")
    repo.commit("fix: drop os from conf", {"docs/conf.py": fixed, "app.py": edited})
    [attempt] = detect(repo, folder="docs")
    assert attempt["path"] == "docs/conf.py"  # the fix in the folder it checked, and only that
    repo.commit("docs: more", {"docs/more.py": "print(1)\n"})
    assert detect(repo, "conf.py", "more.py", folder="docs") == []


def test_a_removed_import_is_a_fix_linked_to_its_commit(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    assert detect(repo) == []  # the first run: nothing to compare with
    fixing = repo.commit("fix: drop os", {"app.py": UNUSED_IMPORT.replace("import os\n", "")})
    [attempt] = detect(repo)
    assert (attempt["rule"], attempt["path"], attempt["snippet"]) == ("F401", "app.py", "import os")
    assert (attempt["outcome"], attempt["source"]) == ("success", "auto")
    assert attempt["kind"] == "imports"
    assert (attempt["commit"], attempt["time"]) == (fixing, committed_time(repo, fixing))
    assert attempt["strategy"] == "remove `import a`"
    assert attempt["diff"] is not None
    assert "\n-import os\n" in attempt["diff"]
    assert attempt["diff"].startswith("--- a/app.py\n+++ b/app.py\n@@")
    # A module-level import: no function around it, so its block (one line) is its size.
    assert json.loads(attempt["context"] or "") == {
        "complexity": 1,
        "complexity_measure": "lines",
        "language": "python",
        "project": repository_id(discover(repo.path).hookwise_dir),
    }


def test_a_fix_inside_a_function_carries_its_cyclomatic_complexity(repo: GitRepo) -> None:
    branchy = "def f(a, b):\n    x = 1\n    if a and b:\n        return 2\n    return 3\n"
    repo.commit("feat: start", {"app.py": branchy})
    assert detect(repo) == []
    repo.commit("fix: drop x", {"app.py": branchy.replace("    x = 1\n", "")})
    [attempt] = detect(repo)
    context = json.loads(attempt["context"] or "")
    # 1 + the if + the one extra operand of ``and``.
    assert (context["complexity"], context["complexity_measure"]) == (3, "cyclomatic")


def test_a_finding_moved_by_an_edit_above_it_is_not_a_fix(repo: GitRepo) -> None:
    source = '"""Tools."""\n\n\n' + UNUSED_IMPORT
    repo.commit("feat: start", {"app.py": source})
    first, [was], _ = checked(repo)
    longer = '"""Tools.\n\nMore of them.\n"""\n\n\n' + UNUSED_IMPORT
    repo.commit("docs: say more", {"app.py": longer})
    assert detect(repo) == []
    store = Store.open(discover(repo.path))
    [later] = [run for run in check_runs(store) if run["id"] != first["id"]]
    [now] = findings_of(store, later["id"])
    assert (now["fingerprint"], now["line"]) == (was["fingerprint"], was["line"] + 3)


def test_an_unused_name_fixed_on_its_line_names_the_edit(repo: GitRepo) -> None:
    repo.commit("feat: start", {"calc.py": UNUSED_NAME})
    detect(repo)
    fixing = repo.commit("fix: mark unused", {"calc.py": UNUSED_NAME.replace("x = 1", "_x = 1")})
    [attempt] = detect(repo)
    assert (attempt["rule"], attempt["outcome"], attempt["commit"]) == ("F841", "success", fixing)
    assert (attempt["kind"], attempt["strategy"]) == ("rename", "prefix an unused name with `_`")
    assert attempt["diff"] is not None
    assert "-    x = 1\n+    _x = 1\n" in attempt["diff"]


def test_an_edit_at_a_finding_that_leaves_it_failing_is_a_failure(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    detect(repo)
    # A suppression on a line of its own silences nothing: the import stays unused.
    trying = repo.commit("fix: silence", {"app.py": "# noqa: F401\n" + UNUSED_IMPORT})
    [attempt] = detect(repo)
    assert (attempt["rule"], attempt["outcome"], attempt["commit"]) == ("F401", "failure", trying)
    assert (attempt["kind"], attempt["strategy"]) == ("suppress", "add `# noqa: F401`")
    assert attempt["time"] == committed_time(repo, trying)


def test_a_deleted_file_and_a_deleted_function_are_not_fixes(repo: GitRepo) -> None:
    two = UNUSED_NAME + "\n\ndef g():\n    return 3\n"
    repo.commit("feat: start", {"gone.py": UNUSED_IMPORT, "calc.py": two})
    assert len(checked(repo)[1]) == 2
    repo.git("rm", "-q", "gone.py")
    repo.commit("refactor: drop f and gone.py", {"calc.py": "def g():\n    return 3\n"})
    assert detect(repo) == []


def test_a_finding_gone_with_the_file_unchanged_is_not_a_fix(repo: GitRepo) -> None:
    configured = RUFF[:-1]  # reads the repository's configuration
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    assert len(checked(repo, command=configured)[1]) == 1
    repo.commit("chore: allow unused imports", {"ruff.toml": "[lint]\nignore = ['F401']\n"})
    paths = discover(repo.path)
    run, findings, _ = checked(repo, command=configured)
    assert findings == []
    assert detect_fixes(Store.open(paths), paths, run, findings) == 0


def test_a_fix_not_committed_yet_is_seen_in_the_worktree(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    detect(repo)
    repo.write("app.py", UNUSED_IMPORT.replace("import os\n", ""))
    [attempt] = detect(repo)
    store = Store.open(discover(repo.path))
    newest = max(check_runs(store), key=lambda run: run["time"])
    assert (attempt["outcome"], attempt["commit"], attempt["kind"]) == ("success", None, "imports")
    assert attempt["diff"] is not None
    assert "\n-import os\n" in attempt["diff"]
    assert attempt["time"] == newest["time"]


def test_detecting_the_same_runs_twice_stores_nothing_new(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT, "calc.py": UNUSED_NAME})
    detect(repo)
    repo.commit("fix: both", {"app.py": "print(1)\n", "calc.py": "def f():\n    return 2\n"})
    paths = discover(repo.path)
    store = Store.open(paths)
    run, findings, _ = checked(repo)
    assert detect_fixes(store, paths, run, findings) == 2
    assert detect_fixes(store, paths, run, findings) == 0
    assert len(fix_attempts(store)) == 2


def test_a_run_over_some_files_judges_only_those(repo: GitRepo) -> None:
    repo.commit("feat: start", {"a.py": UNUSED_IMPORT, "b.py": UNUSED_IMPORT})
    assert len(checked(repo, "a.py", "b.py")[1]) == 2
    # b.py changes at its finding but is not checked: its finding is not looked for.
    half = UNUSED_IMPORT.replace("import os\n", "")
    repo.commit("fix: a, and touch b", {"a.py": half, "b.py": "import os  # the os\n" + half})
    [fixed] = detect(repo, "a.py")
    assert fixed["path"] == "a.py"
    # A later run over b.py compares it with the last run that checked b.py.
    fixing = repo.commit("fix: b", {"b.py": half})
    [later] = detect(repo, "b.py")
    assert (later["path"], later["outcome"], later["commit"]) == ("b.py", "success", fixing)


def test_an_earlier_head_that_is_gone_is_skipped(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    paths = discover(repo.path)
    store = Store.open(paths)
    run, findings, _ = checked(repo)
    rewritten: CheckRunRow = {**run, "id": "rewritten", "head": "f" * 40, "time": run["time"] - 60}
    moved: list[FindingRow] = [{**finding, "run_id": "rewritten"} for finding in findings]
    add_check_run(store, rewritten, moved)
    repo.commit("fix: drop os", {"app.py": "print(1)\n"})
    later, now, _ = checked(repo)
    assert detect_fixes(store, paths, later, now) == 1  # against the run whose HEAD exists
    assert detect_fixes(store, paths, rewritten, moved) == 0


@pytest.mark.parametrize("path", ["../outside.py", "/abs/app.py"])
def test_a_finding_outside_the_worktree_is_skipped(repo: GitRepo, path: str) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    paths = discover(repo.path)
    store = Store.open(paths)
    run, findings, _ = checked(repo)
    earlier: CheckRunRow = {**run, "id": "earlier", "time": run["time"] - 60}
    add_check_run(store, earlier, [{**findings[0], "run_id": "earlier", "path": path}])
    assert detect_fixes(store, paths, run, []) == 0


def test_without_a_worktree_only_committed_fixes_are_seen(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT, "calc.py": UNUSED_NAME})
    checked(repo)
    repo.commit("fix: drop os", {"app.py": "print(1)\n"})
    repo.write("calc.py", "def f():\n    return 2\n")
    paths = discover(repo.path)
    store = Store.open(paths)
    run, findings, _ = checked(repo)
    worker_view = paths.for_hookwise_dir(paths.hookwise_dir)
    assert detect_fixes(store, worker_view, run, findings) == 1
    [attempt] = fix_attempts(store)
    assert attempt["path"] == "app.py"


def test_a_fix_judged_by_a_run_in_between_is_not_judged_again(repo: GitRepo) -> None:
    repo.commit("feat: start", {"a.py": UNUSED_IMPORT, "b.py": UNUSED_IMPORT})
    checked(repo, "a.py", "b.py")
    repo.write("b.py", "print(1)\n")
    [seen] = detect(repo, "b.py")  # pre-commit checks b.py before the commit
    assert (seen["path"], seen["commit"]) == ("b.py", None)
    repo.commit("fix: b")
    assert detect(repo, "a.py", "b.py") == []


def test_an_earlier_run_that_saw_uncommitted_lines_is_not_compared(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": "print(1)\n"})
    repo.write("app.py", UNUSED_IMPORT)  # what the first run sees is not what HEAD holds
    assert len(checked(repo)[1]) == 1
    repo.commit("feat: args", {"app.py": UNUSED_IMPORT.replace("import os\n", "")})
    assert detect(repo) == []


def test_a_fix_next_to_a_finding_is_no_failure_of_it(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": "import os\nimport re\nimport json\n\nprint(1)\n"})
    detect(repo)
    repo.commit("fix: drop re", {"app.py": "import os\nimport json\n\nprint(1)\n"})
    [attempt] = detect(repo)
    assert (attempt["snippet"], attempt["outcome"]) == ("import re", "success")
