"""``hookwise.learning.pending``: suggestions shown by a real check, settled by real commits.

Each check runs the real ruff through ``hookwise.checks.run.check``; what it
showed is spooled by ``remember_shown`` as ``hookwise check`` does, and the
worker's ``store_check_runs`` stores both, detects fixes and resolves.
"""

from __future__ import annotations

import io
import json
import sys
import time
from typing import Any

import pytest

from hookwise.checks.run import CheckResult, check
from hookwise.checks.suggest import Suggestions, remember_shown
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.memory import confirm
from hookwise.git.repo import discover
from hookwise.learning.pending import (
    ACCEPTED,
    ANOTHER_FIX,
    GONE_UNSEEN,
    LINES_TOUCHED,
    STALE,
    STILL_FAILING,
    Shown,
    context_of,
    needs_human,
    states,
)
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts, ranking_batches
from hookwise.worker.checkruns import store_check_runs
from tests.gitrepo import GitRepo

RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "."]
UNUSED_IMPORT = "import os\nimport sys\n\nprint(sys.argv)\n"
REMOVE = "remove `import a`"
NOQA = "add `# noqa: F401`"


def run_check(repo: GitRepo, shown: list[str] | None = None, arm: str | None = "a") -> CheckResult:
    """A check of the repository with ruff, stored by the worker; with ``shown``, those
    strategies printed under every finding (by arm ``arm``)."""
    out, err = io.BytesIO(), io.BytesIO()
    result = check(RUFF, cwd=repo.path, stdout=out, stderr=err)
    assert result.problem is None, result.problem
    if shown:
        answers = tuple(
            {
                "finding": finding.to_json(),
                "suggestions": [{"strategy": s, "kind": "imports"} for s in shown],
                "arm": arm,
            }
            for finding in result.findings
        )
        remember_shown(result, Suggestions(answers))
    store = Store.open(discover(repo.path))
    stored, corrupt = store_check_runs(store, lock_timeout=5, grace_seconds=60)
    assert (stored, corrupt) == (1, [])
    return result


def now() -> int:
    """A commit made after the check that showed the suggestion, as a real one is."""
    return int(time.time())


def suggested(repo: GitRepo) -> dict[str, Shown]:
    """Every shown strategy, by strategy, with its latest confirmation."""
    store = Store.open(discover(repo.path))
    rows = [FixAttempt.from_row(row) for row in fix_attempts(store, source="suggested")]
    return {shown.attempt.strategy: shown for shown in states(rows)}


def verdicts(repo: GitRepo) -> dict[str, tuple[str, str | None]]:
    return {name: (s.outcome, s.resolution) for name, s in suggested(repo).items()}


def test_a_shown_strategy_the_fix_applies_is_accepted(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    run_check(repo, shown=[REMOVE, NOQA])
    assert verdicts(repo) == {REMOVE: ("pending", None), NOQA: ("pending", None)}
    [row] = [s.attempt for s in suggested(repo).values() if s.attempt.strategy == REMOVE]
    assert (row.source, row.rule, row.path, row.snippet) == (
        "suggested",
        "F401",
        "app.py",
        "import os",
    )
    assert context_of(row) == {
        "arm": "a",
        "language": "python",
        "rank": 1,
        "run": row_run(row),
        "shown": 2,
    }
    fixing = repo.commit(
        "fix: drop os", {"app.py": UNUSED_IMPORT.replace("import os\n", "")}, date=now()
    )
    run_check(repo)
    assert verdicts(repo) == {REMOVE: ("success", ACCEPTED), NOQA: ("failure", ANOTHER_FIX)}
    accepted = suggested(repo)[REMOVE].latest
    assert accepted is not None
    assert accepted.commit == fixing and accepted.confirms == suggested(repo)[REMOVE].attempt.id
    # The fix itself is detection's attempt, recorded as usual, and the only vote.
    store = Store.open(discover(repo.path))
    [auto] = fix_attempts(store, source="auto")
    assert (auto["strategy"], auto["outcome"], auto["commit"]) == (REMOVE, "success", fixing)
    assert context_of(accepted)["detected"] == auto["id"]
    voters = [row for batch in ranking_batches(store) for row in batch.to_pylist()]
    assert [row["id"] for row in voters] == [auto["id"]]


def row_run(row: FixAttempt) -> str:
    return str(context_of(row)["run"])


def test_a_fix_with_another_strategy_is_not_accepted(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    run_check(repo, shown=[NOQA])
    repo.commit("fix: drop os", {"app.py": UNUSED_IMPORT.replace("import os\n", "")}, date=now())
    run_check(repo)
    assert verdicts(repo) == {NOQA: ("failure", ANOTHER_FIX)}
    [auto] = fix_attempts(Store.open(discover(repo.path)), source="auto")
    assert (auto["strategy"], auto["outcome"]) == (REMOVE, "success")


def test_a_shown_strategy_applied_that_leaves_the_finding_is_a_failure(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    run_check(repo, shown=[NOQA, REMOVE])
    # A suppression on a line of its own silences nothing: the import stays unused.
    repo.commit("fix: silence", {"app.py": "# noqa: F401\n" + UNUSED_IMPORT}, date=now())
    run_check(repo)
    assert verdicts(repo) == {NOQA: ("failure", STILL_FAILING), REMOVE: ("pending", None)}
    assert needs_human(Store.open(discover(repo.path))) == []
    # Then the other shown strategy does it.
    repo.commit(
        "fix: drop os", {"app.py": "# noqa: F401\nimport sys\n\nprint(sys.argv)\n"}, date=now()
    )
    run_check(repo)
    assert verdicts(repo) == {NOQA: ("failure", STILL_FAILING), REMOVE: ("success", ACCEPTED)}


def test_lines_edited_another_way_wait_for_a_human(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    run_check(repo, shown=[REMOVE])
    repo.commit("fix: silence", {"app.py": "# noqa: F401\n" + UNUSED_IMPORT}, date=now())
    run_check(repo)
    assert verdicts(repo) == {REMOVE: ("pending", LINES_TOUCHED)}
    run_check(repo)  # nothing new: no second note
    store = Store.open(discover(repo.path))
    assert len(fix_attempts(store, source="suggested")) == 2
    [waiting] = needs_human(store)
    assert (waiting.attempt.strategy, waiting.reason) == (REMOVE, LINES_TOUCHED)
    assert waiting.to_json()["arm"] == "a"
    # A human's verdict settles it, as for any attempt.
    confirm(store, waiting.attempt.id[:12], "success")
    assert needs_human(store) == []
    assert verdicts(repo)[REMOVE][0] == "success"


def test_a_finding_that_goes_without_a_fix_waits_for_a_human(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT, "keep.py": "x = 1\n"})
    run_check(repo, shown=[REMOVE])
    repo.git("rm", "-q", "app.py")
    repo.commit("chore: drop app", date=now())
    run_check(repo)
    assert verdicts(repo) == {REMOVE: ("pending", GONE_UNSEEN)}
    assert [w.reason for w in needs_human(Store.open(discover(repo.path)))] == [GONE_UNSEEN]


def test_a_finding_shown_again_is_remembered_once_and_old_ones_are_listed(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    first = run_check(repo, shown=[REMOVE])
    run_check(repo, shown=[REMOVE])  # nothing changed: still pending, not stored again
    store = Store.open(discover(repo.path))
    [row] = fix_attempts(store, source="suggested")
    assert first.run is not None
    assert (row["time"], json.loads(row["context"] or "")["run"]) == (
        first.run["time"],
        first.run["id"],
    )
    assert needs_human(store) == []
    later = row["time"] + 15 * 86_400
    [old] = needs_human(store, now=later)
    assert (old.reason, old.noted_at) == (STALE, None)
    assert needs_human(store, now=later, days=30) == []


def test_resolving_twice_adds_nothing(repo: GitRepo) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    run_check(repo, shown=[REMOVE])
    repo.commit("fix: drop os", {"app.py": UNUSED_IMPORT.replace("import os\n", "")}, date=now())
    run_check(repo)
    store = Store.open(discover(repo.path))
    before = len(fix_attempts(store))
    run_check(repo)
    assert len(fix_attempts(store)) == before


@pytest.mark.parametrize("arm", [None, "b"])
def test_the_arm_is_kept_with_what_was_shown(repo: GitRepo, arm: Any) -> None:
    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    run_check(repo, shown=[REMOVE], arm=arm)
    [shown] = suggested(repo).values()
    assert context_of(shown.attempt).get("arm") == arm


def test_the_real_check_remembers_what_it_printed(repo: GitRepo) -> None:
    """``hookwise check`` as a user runs it, without a worker: the rule prior's suggestion is
    printed, spooled as shown, stored by the worker's drain, and accepted after the fix."""
    import os
    import subprocess

    from hookwise.fixes.record import record
    from hookwise.worker.drain import drain_now
    from hookwise.worker.prior import write_rule_prior
    from tests.fixes.lines import line, lines

    repo.commit("feat: start", {"app.py": UNUSED_IMPORT})
    paths = discover(repo.path)
    store = Store.open(paths)
    assert record(store, lines(line(strategy=REMOVE))).recorded == 1
    assert write_rule_prior(store)

    def hookwise_check(code: int) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "hookwise", "check", "--", *RUFF],
            cwd=repo.path,
            env={**os.environ, "HOOKWISE_NO_WORKER": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == code, proc.stderr  # ruff's own code
        drain_now(paths)
        return proc.stderr

    printed = hookwise_check(1)
    assert "what fixed these before, for the same rule" in printed and REMOVE in printed
    [shown] = suggested(repo).values()
    assert (shown.attempt.strategy, shown.outcome, shown.attempt.path) == (
        REMOVE,
        "pending",
        "app.py",
    )
    assert "arm" not in context_of(shown.attempt)  # the rule prior answers for no arm
    repo.commit("fix: drop os", {"app.py": UNUSED_IMPORT.replace("import os\n", "")}, date=now())
    hookwise_check(0)
    assert verdicts(repo) == {REMOVE: ("success", ACCEPTED)}
