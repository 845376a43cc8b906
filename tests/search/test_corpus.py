"""The corpus search reads: what a hit shows of a commit."""

from __future__ import annotations

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.search.engine import search_in_process
from hookwise.search.request import SearchRequest
from tests.gitrepo import GitRepo


def test_a_commit_with_an_impossible_time_zone_is_shown_in_utc(repo: GitRepo) -> None:
    """requests' history has a commit dated ``+51800`` (518 hours east), which
    git keeps as written and no ``datetime`` can hold: its instant is shown
    in UTC rather than the search failing."""
    repo.commit("a first commit")
    odd = repo.commit_raw_zone("odd zone from a broken clock", "+51800")
    paths = discover(repo.path)
    backfill(paths)
    [hit] = search_in_process(paths, SearchRequest("broken clock", mode="text")).hits
    assert hit.sha == odd
    assert hit.date == "2011-08-17T12:38:50+00:00"
