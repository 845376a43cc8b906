"""Day summaries: each day's figures are ``hookwise metrics`` for that day, checked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.insights.metrics import metrics
from hookwise.insights.windows import Filters, Window
from hookwise.store.db import Store
from hookwise.sync.summaries import day_summaries
from hookwise.sync.wire import DaySummary, FixTally, author_id
from tests.gitrepo import GitRepo
from tests.insights.test_metrics import week_of_work
from tests.sync.history import add_checks_and_fixes

THURSDAY = date(2024, 3, 7)


@pytest.fixture
def store(repo: GitRepo) -> Store:
    week_of_work(repo)
    paths = discover(repo.path)
    backfill(paths)
    found = Store.open(paths)
    add_checks_and_fixes(found, THURSDAY)
    return found


def test_one_day_exactly(store: Store) -> None:
    days = {s.day: s for s in day_summaries(store, "week")}
    # Thursday: c8 c9 (revert) c10 c11 (the conflicted merge), all Ada's; switches
    # to topic, main, main (the detach is none); commits on two branches (c8 on
    # topic, c9-c11 on main); eligible c8 c10, both compliant;
    # one session (09:10 .. 11:00); two check runs; F401 3 attempts, 2 worked.
    assert days[THURSDAY] == DaySummary(
        repo="week",
        day=THURSDAY,
        commits=4,
        authors=(author_id("ada@example.com"),),
        merges=1,
        conflicted_merges=1,
        branch_switches=3,
        active_branches=2,
        cc_eligible=2,
        cc_compliant=2,
        sessions=1,
        checks_run=2,
        fixes=(
            FixTally("ruff", "F401", "imports", 3, 2),
            FixTally("ruff", "E501", "suppress", 1, 1),
        ),
    )


def test_every_day_agrees_with_metrics_for_that_day(store: Store) -> None:
    summaries = day_summaries(store, "week")
    assert [s.day for s in summaries] == [date(2024, 3, d) for d in (4, 5, 6, 7)]
    for s in summaries:
        m = metrics(store, Filters(window=Window(s.day, s.day)), today=s.day)
        assert s.commits == m.velocity.commits
        assert s.authors == tuple(sorted(author_id(a.email) for a in m.velocity.by_author))
        assert (s.merges, s.conflicted_merges) == (m.merges.count, m.merges.conflicted)
        assert s.branch_switches == m.branch_switches.count
        assert s.active_branches == len([b for b in m.velocity.by_branch if b.branch])
        cc = m.conventional
        assert (s.cc_eligible, s.cc_compliant) == (cc.eligible, cc.compliant)
        assert s.sessions == m.sessions.count
    # Wednesday: Bob's fixup just after midnight (his own) and Ada's two make two sessions
    # on that day, though over the whole week Bob's c4 and c5 are one.
    wednesday = summaries[2]
    assert (wednesday.commits, wednesday.sessions, len(wednesday.authors)) == (3, 2, 2)
    assert summaries[1].authors == (author_id("Bob@Example.com"),)
    # Monday: c1-c3 on main, then a switch to feature without a commit on it:
    # one active branch. Tuesday: c4 on feature. Wednesday: c5 on feature, c6 c7 on main.
    assert [s.active_branches for s in summaries] == [1, 1, 2, 2]


def test_a_commit_whose_branch_is_unknown_names_no_branch(repo: GitRepo) -> None:
    ada = {"author_name": "Ada", "author_email": "ada@example.com"}
    repo.commit_by(ada, "start", {"a.txt": "1\n"}, "2024-03-04 09:00 +0000")
    repo.git("checkout", "-q", "-b", "side", date="2024-03-04 09:10 +0000")
    repo.commit_by(ada, "on side", {"b.txt": "1\n"}, "2024-03-04 09:20 +0000")
    # A commit on a detached HEAD that no branch reaches: backfill cannot name its branch.
    repo.git("checkout", "-q", "--detach", date="2024-03-04 09:30 +0000")
    repo.commit_by(ada, "adrift", {"c.txt": "1\n"}, "2024-03-04 09:40 +0000")
    paths = discover(repo.path)
    backfill(paths)
    store = Store.open(paths)
    on = date(2024, 3, 4)
    by_branch = metrics(store, Filters(window=Window(on, on)), today=on).velocity.by_branch
    assert sorted((b.branch or "", b.commits) for b in by_branch) == [
        ("", 1),
        ("main", 1),
        ("side", 1),
    ]
    (monday,) = day_summaries(store, "adrift")
    assert (monday.commits, monday.active_branches) == (3, 2)


def test_days_from_a_start(store: Store) -> None:
    assert [s.day for s in day_summaries(store, "week", start=date(2024, 3, 6))] == [
        date(2024, 3, 6),
        THURSDAY,
    ]
    assert day_summaries(store, "week", start=date(2024, 3, 8)) == []


def test_a_day_with_only_checks_is_a_day(store: Store) -> None:
    add_checks_and_fixes(store, date(2024, 3, 9))
    saturday = day_summaries(store, "week", start=date(2024, 3, 8))
    assert [(s.day, s.commits, s.checks_run) for s in saturday] == [(date(2024, 3, 9), 0, 2)]
