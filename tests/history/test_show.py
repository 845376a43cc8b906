"""``hookwise show N|SHA``: resolving, what is shown, and the click it records."""

from __future__ import annotations

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.errors import UsageError
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.history.show import last_search, remember_search, resolve, show
from hookwise.search.clicks import read_clicks
from hookwise.search.request import Hit, SearchResult
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


def searched(paths: RepoPaths, query: str, shas: list[str]) -> None:
    hits = tuple(Hit(sha, "s", "2024-01-01T00:00:00+00:00", "a", 1.0) for sha in shas)
    remember_search(paths, SearchResult(query, "hybrid", hits))


@pytest.fixture
def history(repo: GitRepo) -> tuple[RepoPaths, list[str]]:
    shas = [
        repo.commit("feat: first", {"a.txt": "one\ntwo\n"}),
        repo.commit(
            "fix: second\n\nWhy it was broken.\n\nSigned-off-by: Ada <ada@example.com>",
            {"a.txt": "one\n", "b.bin": "\0\1\2"},
        ),
        repo.commit("docs: third", {"docs/c.md": "c\n"}),
    ]
    paths = discover(repo.path)
    backfill(paths)
    return paths, shas


def test_result_numbers_name_the_last_search(history: tuple[RepoPaths, list[str]]) -> None:
    paths, shas = history
    searched(paths, "what broke", [shas[2], shas[0]])
    assert last_search(paths) == ("what broke", [shas[2], shas[0]])
    assert resolve(paths, "1") == (shas[2], "what broke", 1)
    assert resolve(paths, "2") == (shas[0], "what broke", 2)
    # A sha (prefix) among the results counts as opening that result.
    assert resolve(paths, shas[0][:8]) == (shas[0], "what broke", 2)
    assert resolve(paths, shas[1][:8]) == (shas[1], None, None)
    assert resolve(paths, "HEAD~1") == (shas[1], None, None)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("3", r"returned 2 result\(s\); choose a number from 1 to 2"),
        ("0", "choose a number from 1 to 2"),
        ("nope", "neither a result number of the last search nor a commit"),
        ("deadbeef", "neither a result number"),
    ],
)
def test_bad_refs(history: tuple[RepoPaths, list[str]], ref: str, message: str) -> None:
    paths, shas = history
    searched(paths, "q", shas[:2])
    with pytest.raises(UsageError, match=message):
        resolve(paths, ref)


def test_a_number_after_a_search_that_found_nothing(
    history: tuple[RepoPaths, list[str]],
) -> None:
    """Not "choose a number from 1 to 0": the search found nothing."""
    paths, _ = history
    searched(paths, "quantum flux", [])
    with pytest.raises(UsageError, match=r"'quantum flux'\) found nothing, so it has no result 1"):
        resolve(paths, "1")


def test_a_number_without_a_search(history: tuple[RepoPaths, list[str]]) -> None:
    paths, _ = history
    with pytest.raises(UsageError, match="no search to take result 1 from"):
        resolve(paths, "1")


def test_show_gives_message_stats_and_files(history: tuple[RepoPaths, list[str]]) -> None:
    paths, shas = history
    view = show(paths, shas[1])
    assert view.sha == shas[1] and view.parents == (shas[0],)
    assert view.subject == "fix: second"
    assert "Why it was broken." in view.body
    assert view.author == "Ada Lovelace" and view.date.endswith("+00:00")
    by_path = {f.path: (f.insertions, f.deletions) for f in view.files}
    assert by_path == {"a.txt": (0, 1), "b.bin": (None, None)}
    data = view.to_json()
    assert data["files_changed"] == 2 and data["deletions"] == 1 and data["query"] is None


def test_a_merge_is_summarised_against_its_first_parent(repo: GitRepo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic work", {"t.txt": "1\n2\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main work", {"m.txt": "m\n"})
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    view = show(discover(repo.path), "HEAD")
    assert len(view.parents) == 2
    assert [(f.path, f.insertions) for f in view.files] == [("t.txt", 2)]


def test_showing_a_result_records_a_click_and_other_commits_do_not(
    history: tuple[RepoPaths, list[str]],
) -> None:
    paths, shas = history
    searched(paths, "What Broke?", [shas[1], shas[0]])
    store = Store.open(paths)
    view = show(paths, "1")
    assert (view.query, view.rank) == ("What Broke?", 1)
    show(paths, shas[2])  # not a result of the last search
    show(paths, "2", record=False)
    assert [(c.query, c.sha) for c in read_clicks(store)] == [("what broke", shas[1])]


def test_a_commit_with_an_impossible_time_zone_is_shown_in_utc(repo: GitRepo) -> None:
    """requests' commit 5e6ecdad is dated ``+51800``: no ``datetime`` holds that zone."""
    repo.commit("a first commit")
    odd = repo.commit_raw_zone("odd zone from a broken clock", "+51800")
    paths = discover(repo.path)
    backfill(paths)
    view = show(paths, odd)
    assert view.sha == odd
    assert view.date == "2011-08-17T12:38:50+00:00"
