"""``fix learn`` over a constructed history with real ruff: exactly the fixes it holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.errors import CheckerNotFoundError, StoreLockedError
from hookwise.fixes import batches, learn
from hookwise.fixes.context import repository_id
from hookwise.fixes.learn import LearnOptions, LearnResult
from hookwise.git.repo import discover
from hookwise.store.db import Store, exclusive
from hookwise.store.fixes import fix_attempts
from tests.fixes.history import Fixes, make_history
from tests.gitrepo import GitRepo


@pytest.fixture
def history(repo: GitRepo) -> Fixes:
    return make_history(repo)


def run(repo: GitRepo, **options: object) -> LearnResult:
    return learn.learn(discover(repo.path), LearnOptions(**options))  # type: ignore[arg-type]


def learned(repo: GitRepo) -> dict[str, dict[str, object]]:
    rows = fix_attempts(Store.open(discover(repo.path)))
    by_rule = {row["rule"]: dict(row) for row in rows}
    assert len(by_rule) == len(rows), rows
    return by_rule


def test_learns_exactly_the_fixes_of_the_history(repo: GitRepo, history: Fixes) -> None:
    result = run(repo)
    assert (result.commits, result.attempts, result.found, result.missing) == (5, 3, 3, ())
    found = learned(repo)
    assert set(found) == {"F401", "E711", "F841"}  # not gone.py's F401, not drop()'s F841
    for rule, commit in (("F401", history.f401), ("E711", history.e711), ("F841", history.f841)):
        attempt = found[rule]
        assert attempt["commit"] == commit
        assert attempt["time"] == history.times[commit]
        assert (attempt["outcome"], attempt["source"]) == ("success", "auto")
        assert attempt["path"] == "pkg/mod.py" and attempt["language"] == "python"
        context = json.loads(str(attempt["context"]))
        assert context["language"] == "python"
        assert context["project"] == repository_id(discover(repo.path).hookwise_dir)
        # In ``check`` (1 + its if) for E711 and F841; F401's import is a line of its own.
        expected = (1, "lines") if rule == "F401" else (2, "cyclomatic")
        assert (context["complexity"], context["complexity_measure"]) == expected
        assert str(attempt["diff"]).startswith("--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ ")
    assert found["F401"]["kind"] == "imports"
    assert found["F401"]["snippet"] == "import os"
    assert "\n-import os\n" in str(found["F401"]["diff"])
    assert found["E711"]["kind"] == "replace"
    assert found["E711"]["strategy"] == "replace `==` with `is`"
    assert "+    if value is None:\n" in str(found["E711"]["diff"])
    assert found["F841"]["kind"] == "replace"
    assert "-    unused = compute(value)\n+    compute(value)\n" in str(found["F841"]["diff"])


def test_a_second_run_does_nothing_and_a_new_commit_only_itself(
    repo: GitRepo, history: Fixes
) -> None:
    run(repo)
    again = run(repo)
    assert (again.commits, again.attempts, again.found) == (0, 0, 0)
    module = (repo.path / "pkg" / "mod.py").read_text()
    repo.commit("one import is enough", {"pkg/mod.py": "import re\n" + module})
    repo.commit("no, none", {"pkg/mod.py": module})
    newer = run(repo)
    assert (newer.commits, newer.attempts) == (2, 1)
    rows = fix_attempts(Store.open(discover(repo.path)))
    assert len(rows) == 4
    assert "`re` imported but unused" in {r["message"] for r in rows}


def test_an_interrupted_run_resumes_without_doing_anything_twice(
    repo: GitRepo, history: Fixes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batches, "BATCH_COMMITS", 1)
    paths = discover(repo.path)
    seen: list[int] = []

    def interrupt(advance: int, total: int) -> None:
        seen.append(advance)
        if len(seen) == 3:  # the first two commits are done (and the start)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        learn.learn(paths, LearnOptions(jobs=1), progress=interrupt)
    done = state_done(paths)
    assert done == {history.start, history.f401}  # the fault landed mid-history
    assert [r["rule"] for r in fix_attempts(Store.open(paths))] == ["F401"]
    rest = learn.learn(paths, LearnOptions(jobs=1))
    assert (rest.commits, rest.attempts) == (3, 2)
    assert set(learned(repo)) == {"F401", "E711", "F841"}


def test_a_commit_done_but_not_saved_is_stored_once(repo: GitRepo, history: Fixes) -> None:
    paths = discover(repo.path)
    run(repo)
    learn.state_path(paths).unlink()  # as if killed after storing, before saving state
    again = run(repo)
    assert (again.commits, again.found, again.attempts) == (5, 3, 0)
    assert len(fix_attempts(Store.open(paths))) == 3


def test_since_takes_only_later_commits(repo: GitRepo, history: Fixes) -> None:
    result = run(repo, since=history.times[history.e711])
    assert (result.commits, result.attempts) == (3, 2)
    assert set(learned(repo)) == {"E711", "F841"}
    rest = run(repo)  # the older commits are still to do
    assert (rest.commits, rest.attempts) == (2, 1)


def test_another_rule_selection_is_learned_on_its_own(repo: GitRepo, history: Fixes) -> None:
    only = run(repo, select={"ruff": ("E7",)})
    assert (only.commits, only.attempts) == (5, 1)
    assert set(learned(repo)) == {"E711"}
    rest = run(repo)  # the default selection has done nothing yet
    assert (rest.commits, rest.attempts, rest.found) == (5, 2, 3)


def test_a_tool_that_is_not_installed(
    repo: GitRepo, history: Fixes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", f"{empty}:/usr/bin:/bin")
    with pytest.raises(CheckerNotFoundError, match="eslint: command not found"):
        run(repo, tools=("eslint",))
    both = run(repo, tools=("ruff", "eslint"))  # ruff is found beside hookwise's Python
    assert both.missing == ("eslint",) and both.attempts == 3


def test_one_learning_run_at_a_time(repo: GitRepo, history: Fixes) -> None:
    paths = discover(repo.path)
    with exclusive(paths.hookwise_dir / learn.LOCK_FILE), pytest.raises(StoreLockedError):
        run(repo)


def test_requests_round_trip_and_are_removed_only_when_unchanged(repo: GitRepo) -> None:
    repo.commit("first")
    paths = discover(repo.path)
    assert learn.pending_request(paths) is None
    options = LearnOptions(tools=("ruff", "flake8"), select={"ruff": ("F",)}, since=5)
    learn.request(paths, options)
    asked = learn.pending_request(paths)
    assert asked is not None and asked[0] == options
    learn.request(paths, LearnOptions())  # a newer request replaces it before it is served
    learn.finish_request(paths, asked[1])
    newer = learn.pending_request(paths)
    assert newer is not None and newer[0] == LearnOptions()
    learn.finish_request(paths, newer[1])
    assert learn.pending_request(paths) is None


def state_done(paths: RepoPaths) -> set[str]:
    state = json.loads(learn.state_path(paths).read_text())
    [recipe] = state["recipes"].values()
    return set(recipe["done"])
