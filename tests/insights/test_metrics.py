"""Metrics on hand-built repositories whose every figure is known.

``week_of_work`` builds four days of history with fixed dates in two time
zones: three branches, a clean and a conflicted merge, a revert, a fixup,
conventional and free-form messages, and branch switches (and a detach) in
the reflog at fixed times. The expected figures are worked out by hand in
the comments, so a test fails when a definition in docs/metrics.md breaks.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from hookwise.cli import main
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.insights.figures import CommitDay
from hookwise.insights.metrics import metrics
from hookwise.insights.windows import Filters, Window, resolve_window
from hookwise.records import RefEvent
from hookwise.store.db import Store
from tests.gitrepo import GitRepo

ADA = {"author_name": "Ada Lovelace", "author_email": "ada@example.com"}
BOB = {"author_name": "Bob Babbage", "author_email": "Bob@Example.com"}


def commit(
    repo: GitRepo, message: str, files: dict[str, str], when: str, who: dict[str, str]
) -> str:
    return repo.commit_by(who, message, files, when)


def week_of_work(repo: GitRepo) -> dict[str, str]:
    """The history the tests below know by heart. Ada is at +01:00, Bob at -05:00.

    Local days: Mon 03-04 (c1-c3), Tue 03-05 (c4), Wed 03-06 (c5-c7), Thu 03-07 (c8-c11).
    """
    c: dict[str, str] = {}
    base = {"a.txt": "1\n", "shared.txt": "base\n"}
    c["c1"] = commit(repo, "feat(core): start", base, "2024-03-04 09:00 +0100", ADA)
    c["c2"] = commit(repo, "fix: typo", {"a.txt": "2\n"}, "2024-03-04 09:30 +0100", ADA)
    c["c3"] = commit(repo, "update readme", {"README": "r\n"}, "2024-03-04 10:15 +0100", ADA)
    repo.git("checkout", "-q", "-b", "feature", date="2024-03-04 10:20 +0100")  # switch 1
    # 23:30 on Tuesday in New York is already Wednesday in UTC.
    c["c4"] = commit(
        repo, "feat(api)!: new endpoint", {"api.py": "1\n"}, "2024-03-05 23:30 -0500", BOB
    )
    c["c5"] = commit(
        repo, "fixup! feat(api)!: new endpoint", {"api.py": "2\n"}, "2024-03-06 00:10 -0500", BOB
    )
    repo.git("checkout", "-q", "main", date="2024-03-06 10:00 +0100")  # switch 2
    c["c6"] = commit(repo, "chore: bump version", {"ver.txt": "2\n"}, "2024-03-06 10:05 +0100", ADA)
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge branch 'feature'",
        date="2024-03-06 10:30 +0100",
    )
    c["c7"] = repo.head()
    repo.git("checkout", "-q", "-b", "topic", date="2024-03-07 09:00 +0100")  # switch 3
    c["c8"] = commit(
        repo, "refactor: shared", {"shared.txt": "topic\n"}, "2024-03-07 09:10 +0100", ADA
    )
    repo.git("checkout", "-q", "main", date="2024-03-07 09:20 +0100")  # switch 4
    repo.git("revert", "--no-edit", c["c2"], date="2024-03-07 09:25 +0100")
    c["c9"] = repo.head()
    c["c10"] = commit(
        repo, "perf: main side", {"shared.txt": "main\n"}, "2024-03-07 09:40 +0100", ADA
    )
    repo.git("merge", "-q", "topic", date="2024-03-07 11:00 +0100", check=False)
    repo.write("shared.txt", "resolved\n")
    repo.git("add", "shared.txt")
    repo.git("commit", "-q", "--no-edit", date="2024-03-07 11:00 +0100")
    c["c11"] = repo.head()
    repo.git("checkout", "-q", "--detach", date="2024-03-07 12:00 +0100")  # a detach, no switch
    repo.git("checkout", "-q", "main", date="2024-03-07 12:30 +0100")  # switch 5
    return c


TODAY = date(2024, 3, 7)


@pytest.fixture
def store(repo: GitRepo) -> Store:
    week_of_work(repo)
    paths = discover(repo.path)
    backfill(paths)
    return Store.open(paths)


def test_velocity(store: Store) -> None:
    v = metrics(store, today=TODAY).velocity
    # 11 commits (merges included) over Mon 03-04 .. Thu 03-07.
    assert (v.commits, v.days) == (11, 4)
    assert v.daily == (
        CommitDay("2024-03-04", 3),
        CommitDay("2024-03-05", 1),  # Bob's 23:30 -05:00, Wednesday in UTC
        CommitDay("2024-03-06", 3),
        CommitDay("2024-03-07", 4),
    )
    assert (v.per_day, v.per_week, v.per_hour) == (2.75, 19.25, 0.1146)
    # y = 3,1,3,4: slope 2.5/5 = 0.5, standard error sqrt(3.5/2/5) = 0.59, t = 0.85.
    assert (v.trend_per_day, v.trend) == (0.5, "steady")
    # Committer-local hours: 9 (c1 c2 c8 c9 c10), 10 (c3 c6 c7), 11 (c11), 23 (c4), 0 (c5).
    assert v.by_hour == (1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 3, 1) + (0,) * 11 + (1,)
    assert v.by_weekday == (3, 1, 3, 4, 0, 0, 0)
    assert (v.busiest_hour, v.busiest_weekday) == (9, "Thu")
    assert [(a.author, a.email, a.commits, a.per_day, a.share) for a in v.by_author] == [
        ("Ada Lovelace", "ada@example.com", 9, 2.25, 0.8182),
        ("Bob Babbage", "bob@example.com", 2, 0.5, 0.1818),
    ]
    # Backfill's inference: main's first-parent chain, then each branch's own.
    assert [(b.branch, b.commits, b.per_day) for b in v.by_branch] == [
        ("main", 8, 2.0),
        ("feature", 2, 0.5),
        ("topic", 1, 0.25),
    ]


def test_branch_switches(store: Store) -> None:
    s = metrics(store, today=TODAY).branch_switches
    assert s.count == 5  # the detach and the initial commit are no switches
    assert s.per_day == 1.25
    assert [(b.branch, b.switches) for b in s.by_branch] == [
        ("main", 3),
        ("feature", 1),
        ("topic", 1),
    ]
    assert [d.switches for d in s.daily] == [1, 0, 1, 3]
    # Stays: feature 03-04 10:20 -> 03-06 10:00 = 2860 min; main -> 03-07 09:00 =
    # 1380; topic 20; main 09:20 -> detach 12:00 = 160; the last one is open.
    assert s.median_minutes_on_branch == 770.0  # (160 + 1380) / 2


def test_merges(store: Store) -> None:
    m = metrics(store, today=TODAY).merges
    assert (m.count, m.checked, m.unchecked, m.conflicted, m.conflict_rate) == (2, 2, 0, 1, 0.5)
    assert [(h.path, h.conflicts) for h in m.hotspots] == [("shared.txt", 1)]
    assert m.squash_merges == 0
    assert [(d.date, d.merges, d.conflicted) for d in m.daily] == [
        ("2024-03-04", 0, 0),
        ("2024-03-05", 0, 0),
        ("2024-03-06", 1, 0),
        ("2024-03-07", 1, 1),
    ]


def test_merges_waiting_for_a_conflict_check_are_not_counted_clean(
    store: Store, repo: GitRepo
) -> None:
    import pyarrow.compute as pc

    merges = store.read("commits", "is_merge AND had_conflicts = false")
    store.upsert_commit_rows(
        merges.set_column(
            merges.schema.get_field_index("had_conflicts"),
            "had_conflicts",
            pa.nulls(merges.num_rows, pa.bool_()),
        )
    )
    assert pc.sum(pc.is_null(store.read("commits", "is_merge")["had_conflicts"])).as_py() == 1
    m = metrics(store, today=TODAY).merges
    # The clean merge is pending: 1 of 1 checked merges conflicted, 1 not yet checked.
    assert (m.count, m.checked, m.unchecked, m.conflicted, m.conflict_rate) == (2, 1, 1, 1, 1.0)
    args = ["metrics", "--repo", str(repo.path), "--from", "2024-03-04", "--to", "2024-03-07"]
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert data["merges"]["unchecked"] == 1
    text = CliRunner().invoke(main, args, env={"COLUMNS": "100"}).output
    assert "1 not yet checked" in " ".join(text.split())


def test_conventional_compliance(store: Store) -> None:
    cc = metrics(store, today=TODAY).conventional
    # Eligible: c1 c2 c3 c4 c6 c8 c10; c3 ("update readme") is the one violation.
    assert (cc.eligible, cc.compliant, cc.rate) == (7, 6, 0.8571)
    assert cc.by_type == {"feat": 2, "chore": 1, "fix": 1, "perf": 1, "refactor": 1}
    assert list(cc.by_type) == ["feat", "chore", "fix", "perf", "refactor"]
    assert cc.breaking == 1
    assert cc.nonstandard_types == 0
    assert (cc.merges, cc.reverts, cc.fixups) == (2, 1, 1)


def test_sessions(store: Store) -> None:
    s = metrics(store, today=TODAY).sessions
    # Ada: c1-c3 (75 min), c6-c7 (25), c8-c11 (110: 09:10 .. 11:00, no gap over 2 h);
    # Bob: c4-c5 (40, across midnight and, in UTC, nothing).
    assert (s.count, s.median_minutes, s.commits_per_session, s.gap_minutes) == (
        4,
        57.5,
        2.75,
        120,
    )
    # A 30-minute gap splits them: a gap of exactly 30 minutes does not.
    s = metrics(store, Filters(session_gap_minutes=30), today=TODAY).sessions
    # Ada: [c1 c2] 30, [c3] 0, [c6 c7] 25, [c8 c9 c10] 30, [c11] 0; Bob: [c4] 0, [c5] 0.
    assert (s.count, s.median_minutes, s.commits_per_session) == (7, 0.0, 1.5714)


def test_window_uses_each_commits_own_time_zone(store: Store) -> None:
    window = Window(date(2024, 3, 6), date(2024, 3, 7))
    m = metrics(store, Filters(window=window), today=TODAY)
    # c4 (Tue 23:30 in New York) stays out although it is Wednesday in UTC.
    assert (m.velocity.commits, m.velocity.days) == (7, 2)
    assert [d.commits for d in m.velocity.daily] == [3, 4]
    assert m.branch_switches.count == 4
    assert (m.window.start, m.window.end) == ("2024-03-06", "2024-03-07")
    # --since 2d on Thursday is the same window.
    since = resolve_window("2d", None, None, TODAY)
    assert metrics(store, Filters(window=since), today=TODAY).velocity == m.velocity


def test_author_and_branch_filters(store: Store) -> None:
    bob = metrics(store, Filters(author="BOB@example"), today=TODAY)
    assert bob.velocity.commits == 2
    assert [a.email for a in bob.velocity.by_author] == ["bob@example.com"]
    assert (bob.conventional.eligible, bob.conventional.compliant, bob.conventional.fixups) == (
        1,
        1,
        1,
    )
    assert metrics(store, Filters(author="Lovelace"), today=TODAY).velocity.commits == 9

    feature = metrics(store, Filters(branch="feature"), today=TODAY)
    assert feature.velocity.commits == 2
    # Switches to the branch only; the window runs from the first of them.
    assert feature.branch_switches.count == 1
    assert feature.branch_switches.median_minutes_on_branch == 2860.0
    assert (feature.window.start, feature.window.end) == ("2024-03-04", "2024-03-06")


def test_rewritten_commits_clones_and_squash_merges(store: Store, repo: GitRepo) -> None:
    # An amended commit stays in the store marked rewritten; it must not count twice.
    rows = store.read("commits", "subject = 'fix: typo'")
    replaced = rows.set_column(
        rows.schema.get_field_index("sha"), "sha", pa.array(["0" * 40])
    ).set_column(rows.schema.get_field_index("rewritten"), "rewritten", pa.array([True]))
    with store.lock():
        store.upsert_commit_rows(replaced)
        store.insert_ref_events(
            [
                RefEvent("clone-1", 1709539200, 60, "clone", to_sha="a" * 40, source="hook"),
                RefEvent("squash-1", 1709802000, 60, "squash_merge", to_ref="main", source="hook"),
            ]
        )
    m = metrics(store, today=TODAY)
    assert m.velocity.commits == 11
    assert m.conventional.by_type["fix"] == 1
    assert m.branch_switches.count == 5
    assert m.merges.squash_merges == 1


def test_json_has_the_documented_keys(store: Store, repo: GitRepo) -> None:
    result = CliRunner().invoke(
        main,
        [
            "metrics",
            "--repo",
            str(repo.path),
            "--from",
            "2024-03-04",
            "--to",
            "2024-03-07",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    required = {
        "velocity": {
            "commits",
            "per_hour",
            "per_day",
            "per_week",
            "trend_per_day",
            "by_author",
            "daily",
        },
        "branch_switches": {"count", "per_day", "by_branch"},
        "merges": {"count", "conflicted", "conflict_rate", "hotspots"},
        "conventional": {"eligible", "compliant", "rate", "by_type", "breaking"},
        "sessions": {"count", "median_minutes", "commits_per_session"},
    }
    for section, keys in required.items():
        assert keys <= set(data[section]), section
    assert data["velocity"]["commits"] == 11
    assert data["velocity"]["daily"][1] == {"date": "2024-03-05", "commits": 1}
    assert data["merges"]["hotspots"] == [{"path": "shared.txt", "conflicts": 1}]
    assert data["conventional"]["by_type"]["feat"] == 2


def test_terminal_view_fits_80_columns(store: Store, repo: GitRepo) -> None:
    result = CliRunner().invoke(
        main, ["metrics", "--repo", str(repo.path), "--since", "2024-03-04"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    for expected in (
        "Velocity",
        "Authors",
        "Branch switches",
        "Merges",
        "Conventional",
        "sessions",
    ):
        assert expected in result.output
    assert "Ada Lovelace" in result.output and "shared.txt" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "soon"], "--since: the period 'soon' is not a number of days"),
        (["--since", "0d"], "at least one day"),
        (["--from", "2024-13-01"], "write it as YYYY-MM-DD"),
        (["--from", "2024-03-07", "--to", "2024-03-01"], "swap them"),
        (["--since", "7d", "--from", "2024-03-01"], "not both"),
        (["--session-gap", "long"], "--session-gap: the session gap 'long' is not a duration"),
    ],
)
def test_bad_input_says_how_to_fix_it(repo: GitRepo, args: list[str], message: str) -> None:
    repo.commit("feat: x")
    backfill(discover(repo.path))
    result = CliRunner().invoke(main, ["metrics", "--repo", str(repo.path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_store_yet(repo: GitRepo) -> None:
    repo.commit("feat: x")
    result = CliRunner().invoke(main, ["metrics", "--repo", str(repo.path)])
    assert result.exit_code == 1
    assert "hookwise init" in result.output


def test_an_empty_history(repo: GitRepo) -> None:
    paths = discover(repo.path)
    Store.open(paths)
    m = metrics(Store.open(paths), today=TODAY)
    assert (m.velocity.commits, m.velocity.days, m.velocity.per_day) == (0, 0, 0.0)
    assert (m.velocity.trend_per_day, m.velocity.busiest_hour) == (None, None)
    assert (m.merges.conflict_rate, m.conventional.rate, m.sessions.median_minutes) == (
        None,
        None,
        None,
    )
    # --since over an empty store still has days, all zero.
    m = metrics(Store.open(paths), Filters(window=Window(date(2024, 3, 1))), today=TODAY)
    assert m.velocity.days == 7 and {d.commits for d in m.velocity.daily} == {0}


def test_metrics_on_a_repo_path_outside_any_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["metrics", "--repo", str(tmp_path)])
    assert result.exit_code == 1
    assert "not inside a git repository" in result.output


@pytest.mark.parametrize("command", [["metrics"], ["report", "-o", "r.html"], ["search", "x"]])
def test_a_window_too_far_back_is_a_usage_error(repo: GitRepo, command: list[str]) -> None:
    repo.commit("feat: x")
    backfill(discover(repo.path))
    runner = CliRunner()
    usage = runner.invoke(main, [*command, "--repo", str(repo.path), "--since", "soon"])
    result = runner.invoke(main, [*command, "--repo", str(repo.path), "--since", "800000d"])
    assert result.exit_code == usage.exit_code == 2  # as any other bad --since
    [line] = result.output.strip().splitlines()
    assert "'800000d' reaches back before 1970-01-01" in line
    assert "unexpected" not in line
