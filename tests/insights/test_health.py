"""Repository health on a hand-built repository with a known score.

``lived_in`` builds four months of history ending at ``NOW``: a merged
branch, a stale one, work in progress, a freshly created branch, a clean and
a conflicted merge, a file only one person ever touches, a file everyone
touches, and a file that was deleted. Every component and finding below is
worked out by hand.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from hookwise.cli import main
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.insights.health import Health, health
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.insights.test_metrics import ADA, BOB, commit

NOW = 1_719_748_800  # 2024-06-30 12:00 UTC
DAY = 86_400


def ago(days: float) -> str:
    return f"{int(NOW - days * DAY)} +0000"


def lived_in(repo: GitRepo) -> None:
    commit(repo, "initial layout", {"README": "r\n", "conflict.txt": "base\n"}, ago(120), ADA)
    files = {"core.py": "1\n", "shared.py": "1\n", "gone.py": "1\n", "misc.py": "1\n"}
    commit(repo, "feat: base", files, ago(70), ADA)
    repo.git("checkout", "-q", "-b", "old-idea")
    commit(repo, "feat: old idea", {"idea.py": "1\n"}, ago(60), BOB)
    repo.git("checkout", "-q", "main")
    commit(repo, "fix: core", {"core.py": "2\n", "gone.py": "2\n"}, ago(25), ADA)
    commit(repo, "refactor: shared", {"shared.py": "2\n", "misc.py": "2\n"}, ago(24), BOB)
    repo.git("checkout", "-q", "-b", "done")
    commit(repo, "docs: done work", {"done.md": "1\n"}, ago(23), ADA)
    repo.git("checkout", "-q", "main")
    files = {"core.py": "3\n", "gone.py": "3\n", "shared.py": "3\n"}
    commit(repo, "fix: core again", files, ago(10), ADA)
    repo.git("merge", "-q", "--no-ff", "done", "-m", "Merge branch 'done'", date=ago(9))
    repo.git("checkout", "-q", "-b", "topic")
    commit(repo, "fix: topic side", {"conflict.txt": "topic\n"}, ago(8), BOB)
    repo.git("checkout", "-q", "main")
    commit(repo, "update core", {"core.py": "4\n", "conflict.txt": "main\n"}, ago(3), ADA)
    repo.git("merge", "-q", "topic", date=ago(2), check=False)
    repo.write("conflict.txt", "both\n")
    repo.git("add", "conflict.txt")
    repo.git("commit", "-q", "--no-edit", date=ago(2))
    repo.git("branch", "-q", "-d", "topic")
    (repo.path / "gone.py").unlink()
    commit(repo, "chore: remove gone", {"notes.txt": "n\n"}, ago(1), ADA)
    repo.git("branch", "fresh")
    repo.git("checkout", "-q", "-b", "wip")
    commit(repo, "feat: wip one", {"wip.py": "1\n"}, ago(0.9), ADA)
    commit(repo, "wip", {"wip.py": "2\n"}, ago(0.5), ADA)
    repo.git("checkout", "-q", "main")


def checkup(repo: GitRepo, **kw: int) -> Health:
    lived_in(repo)
    paths = discover(repo.path)
    backfill(paths)
    return health(paths, Store.open(paths), now=NOW, **kw)


def test_components_and_score(repo: GitRepo) -> None:
    h = checkup(repo)
    scores = {c.name: (c.score, c.weight) for c in h.components}
    assert scores == {
        # Weeks ago: 3 (25, 24, 23 days), 1 (10, 9, 8), 0 (3, 2, 1, 0.9, 0.5); none 2.
        "activity": (75, 0.25),
        # The merge of `done` is clean, the merge of `topic` conflicted.
        "merge_pain": (50, 0.25),
        # 9 of 11: "update core" and "wip" are not conventional; "initial
        # layout" is older than 90 days and the two merges do not count.
        "message_discipline": (82, 0.25),
        # done (merged) and old-idea (stale) of done, old-idea, wip, fresh.
        "branch_hygiene": (50, 0.25),
    }
    assert h.score == 64  # (75 + 50 + 82 + 50) / 4 = 64.25
    details = {c.name: c.detail for c in h.components}
    assert details["activity"] == "commits in 3 of the last 4 weeks (11 commits in 28 days)"
    assert details["message_discipline"] == (
        "9 of 11 commits in the last 90 days follow Conventional Commits"
    )
    assert all(c.advice for c in h.components)


def test_branches(repo: GitRepo) -> None:
    h = checkup(repo)
    assert h.default_branch == "main"
    assert [(b.name, b.idle_days, b.merged, b.ahead, b.stale) for b in h.branches] == [
        ("old-idea", 60, False, 1, True),
        ("done", 23, True, 0, False),
        ("fresh", 1, False, 0, False),  # at main's tip: nothing of its own yet
        ("wip", 0, False, 2, False),
    ]


def test_findings_name_the_branch_or_file_and_what_to_do(repo: GitRepo) -> None:
    h = checkup(repo)
    assert [(f.severity, f.kind, f.subject) for f in h.findings] == [
        ("warning", "stale_branch", "old-idea"),
        ("warning", "single_author", "core.py"),
        ("info", "merged_branch", "done"),
        ("info", "empty_branch", "fresh"),
        ("info", "unmerged_branch", "wip"),
        ("info", "churn_hotspot", "shared.py"),
    ]
    by_subject = {f.subject: f for f in h.findings}
    assert by_subject["old-idea"].detail == "1 commit not in main, no commit for 60 days"
    assert by_subject["old-idea"].action.endswith("git branch -D old-idea")
    assert by_subject["done"].action == "delete it: git branch -d done"
    assert by_subject["core.py"].detail == (
        "changed in 4 commits in 90 days, and only ever by Ada Lovelace"
    )
    assert by_subject["shared.py"].detail == "changed in 3 commits in 90 days by 2 authors"


def test_churn_hotspots(repo: GitRepo) -> None:
    h = checkup(repo)
    # gone.py changed 4 times but is deleted; misc.py and conflict.txt changed
    # only twice in 90 days; merges carry no file changes of their own.
    assert [(s.path, s.changes, s.authors, s.main_author) for s in h.hotspots] == [
        ("core.py", 4, 1, "Ada Lovelace"),
        ("shared.py", 3, 2, "Ada Lovelace"),
    ]


def test_thresholds_are_configurable(repo: GitRepo) -> None:
    h = checkup(repo, stale_days=10, recent_days=7)
    assert [b.name for b in h.branches if b.stale] == ["old-idea", "done"]
    scores = {c.name: c.score for c in h.components}
    # Last 7 days: the conflicted merge only; update core, chore, feat: wip one, wip.
    assert scores["merge_pain"] == 0
    assert scores["message_discipline"] == 50
    assert scores["branch_hygiene"] == 50
    assert h.hotspots == ()


def test_nothing_to_measure_is_not_a_score(repo: GitRepo) -> None:
    commit(repo, "feat: only", {"a": "1\n"}, ago(1), ADA)
    paths = discover(repo.path)
    backfill(paths)
    h = health(paths, Store.open(paths), now=NOW)
    scores = {c.name: (c.score, c.weight) for c in h.components}
    assert scores["merge_pain"] == (None, 0.0)  # no merges: neither good nor bad
    assert scores["activity"] == (25, 0.3333)
    assert scores["message_discipline"] == (100, 0.3333)
    assert scores["branch_hygiene"] == (100, 0.3333)
    assert h.score == 75
    assert h.findings == ()


def test_health_command(repo: GitRepo) -> None:
    lived_in(repo)
    backfill(discover(repo.path))
    result = CliRunner().invoke(main, ["health", "--repo", str(repo.path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"score", "components", "findings", "branches", "hotspots"} <= set(data)
    assert {c["name"] for c in data["components"]} == {
        "activity",
        "merge_pain",
        "message_discipline",
        "branch_hygiene",
    }
    view = CliRunner().invoke(main, ["health", "--repo", str(repo.path)], env={"COLUMNS": "80"})
    assert view.exit_code == 0, view.output
    assert max(len(line) for line in view.output.splitlines()) <= 80
    assert "old-idea" in view.output and "Branch hygiene" in view.output
    bad = CliRunner().invoke(main, ["health", "--repo", str(repo.path), "--stale-days", "0"])
    assert bad.exit_code == 2


def test_fix_success_counts_recent_attempts_by_their_confirmed_outcome(repo: GitRepo) -> None:
    from hookwise.fixes.memory import confirm, list_attempts
    from hookwise.fixes.record import record
    from tests.fixes.lines import line, lines

    lived_in(repo)
    paths = discover(repo.path)
    backfill(paths)
    store = Store.open(paths)
    stamp = "2024-06-{:02d}T12:00:00Z".format
    record(
        store,
        lines(
            line(time=stamp(10)),
            line(strategy="noqa", time=stamp(11)),
            line(strategy="rename", outcome="failure", time=stamp(12)),
            line(strategy="old", time="2024-01-01T00:00:00Z"),  # before the 90 days
        ),
        now=NOW,
    )
    noqa = next(a for a in list_attempts(store) if a.attempt.strategy == "noqa")
    confirm(store, noqa.attempt.id, "failure", now=NOW)  # it came back after all
    h = health(paths, store, now=NOW)
    fixes = {c.name: c for c in h.components}["fix_success"]
    assert (fixes.score, fixes.weight) == (33, 0.2)
    assert fixes.detail == "1 of 3 fix attempts in the last 90 days worked"
    assert h.score == 58  # (75 + 50 + 82 + 50 + 33) / 5 = 58
    assert "fix_success" not in {c.name for c in checkup_again(repo).components}


def checkup_again(repo: GitRepo) -> Health:
    """Health of a store without fix attempts: the component is absent, not zero."""
    paths = discover(repo.path)
    return health(paths, Store.open(paths), now=NOW + 365 * DAY)
