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
    base = repo.commit("a first commit")
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    raw = (
        f"tree {tree}\nparent {base}\n"
        "author Ada <ada@example.com> 1313584730 +51800\n"
        "committer Ada <ada@example.com> 1313584730 +51800\n\n"
        "odd zone from a broken clock\n"
    )
    odd = repo.git("hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=raw)
    repo.git("update-ref", "refs/heads/main", odd.strip())
    paths = discover(repo.path)
    backfill(paths)
    [hit] = search_in_process(paths, SearchRequest("broken clock", mode="text")).hits
    assert hit.sha == odd.strip()
    assert hit.date == "2011-08-17T12:38:50+00:00"
