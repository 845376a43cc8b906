"""Search: modes, filters, embedders that must not mix, click-through, socket == in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.embed import EMBEDDERS
from hookwise.embed.base import EmbedderOptions
from hookwise.embed.testing import FakeEmbedder
from hookwise.errors import StoreError, UsageError
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.search import engine as search
from hookwise.search import vectors
from hookwise.search.engine import (
    CLICK_MAX_BOOST,
    Click,
    Filters,
    Hit,
    SearchEngine,
    SearchRequest,
    click_boost,
    record_click,
    search_in_process,
)
from hookwise.store.db import Store
from tests.gitrepo import BASE_TIME, GitRepo
from tests.waiting import wait_for

DAY = 86400
ADA = {"author_name": "Ada Lovelace", "author_email": "ada@example.com"}
GRACE = {"author_name": "Grace Hopper", "author_email": "grace@navy.example"}


@dataclass(frozen=True)
class History:
    paths: RepoPaths
    sha: dict[str, str]  # short name -> sha

    def names(self, shas: list[str]) -> list[str]:
        by_sha = {v: k for k, v in self.sha.items()}
        return [by_sha[s] for s in shas]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def factory(options: EmbedderOptions) -> FakeEmbedder:
        return FakeEmbedder(64)

    monkeypatch.setitem(EMBEDDERS, "fake", factory)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    vectors.forget_embedders()
    search._engines.clear()
    yield
    vectors.forget_embedders()
    search._engines.clear()


def commit(
    repo: GitRepo, message: str, files: dict[str, str], day: int, who: dict[str, str]
) -> str:
    date = f"{BASE_TIME + day * DAY} +0200"
    env = {
        "GIT_AUTHOR_NAME": who["author_name"],
        "GIT_AUTHOR_EMAIL": who["author_email"],
        "GIT_COMMITTER_NAME": who["author_name"],
        "GIT_COMMITTER_EMAIL": who["author_email"],
    }
    for name, content in files.items():
        repo.write(name, content)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, date=date, env=env)
    return repo.head()


def build(repo: GitRepo) -> History:
    sha = {
        "colour": commit(
            repo,
            "feat: colour output in the terminal reporter",
            {"src/term/colour.py": "c"},
            0,
            ADA,
        ),
        "cache": commit(
            repo,
            "fix: crash in the cache plugin when its folder is missing",
            {"src/cache/plugin.py": "p"},
            1,
            GRACE,
        ),
        "docs": commit(
            repo, "docs: explain how fixtures are found", {"docs/fixtures.md": "d"}, 2, ADA
        ),
        "py37": commit(
            repo,
            "Drop support for Python 3.7\n\nThe interpreter reached its end of life.",
            {"setup.cfg": "3.8"},
            3,
            GRACE,
        ),
    }
    repo.git("checkout", "-q", "-b", "topic")
    sha["progress"] = commit(
        repo, "fix: off-by-one in the progress bar", {"src/term/progress.py": "p"}, 4, ADA
    )
    repo.git("checkout", "-q", "main")
    sha["split"] = commit(
        repo,
        "refactor: split the collector into modules",
        {"src/collect/a.py": "a", "src/collect/b.py": "b"},
        5,
        GRACE,
    )
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "topic",
        "-m",
        "Merge branch 'topic'",
        date=f"{BASE_TIME + 6 * DAY} +0000",
    )
    sha["merge"] = repo.head()
    paths = discover(repo.path)
    backfill(paths)
    return History(paths, sha)


@pytest.fixture
def history(repo: GitRepo, fake: None) -> History:
    built = build(repo)
    store = Store.open(built.paths)
    while vectors.embed_waiting(store):
        pass
    search.ensure_text_index(store)
    return built


def find(history: History, query: str, **kw: object) -> list[str]:
    filters = kw.pop("filters", Filters())
    request = SearchRequest(query, filters=filters, **kw)  # type: ignore[arg-type]
    return history.names([h.sha for h in search_in_process(history.paths, request).hits])


# -- modes -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["hybrid", "vector", "text"])
def test_each_mode_finds_the_commit(history: History, mode: str) -> None:
    assert find(history, "crash in the cache plugin", mode=mode)[0] == "cache"
    assert find(history, "colour terminal output", mode=mode)[0] == "colour"


def test_text_mode_needs_a_shared_word_vector_mode_ranks_everything(history: History) -> None:
    assert find(history, "cache", mode="text") == ["cache"]
    assert len(find(history, "cache", mode="vector")) == len(history.sha)


def test_hybrid_puts_a_match_on_both_first(history: History) -> None:
    request = SearchRequest("progress bar off-by-one")
    result = search_in_process(history.paths, request)
    assert result.mode == "hybrid" and result.notices == ()
    assert result.hits[0].sha == history.sha["progress"]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_a_hit_says_what_the_json_contract_needs(history: History) -> None:
    [hit] = search_in_process(history.paths, SearchRequest("collector", mode="text")).hits
    assert hit.to_json().keys() == {"sha", "subject", "date", "author", "score"}
    assert hit.subject == "refactor: split the collector into modules"
    assert hit.author == "Grace Hopper"
    assert hit.date == "2023-11-20T00:13:20+02:00"  # the author's own zone


def test_the_evidence_fuses_to_the_hybrid_scores(history: History) -> None:
    # bench/search_quality.py tunes the weights on this evidence.
    store = Store.open(history.paths)
    engine = SearchEngine(history.paths)
    request = SearchRequest("the cache plugin and the terminal colour")
    corpus, evidence = engine.evidence(store, request)
    fused = search.fuse(evidence, search.DEFAULT_FUSION)
    rows = evidence.rows.tolist()
    expected = {corpus.shas[i]: s for i, s in zip(rows, fused.tolist(), strict=True)}
    found = {h.sha: h.score for h in engine.search(store, request).hits}
    assert found == pytest.approx(expected)
    assert evidence.text_rank.max() >= 0 and (evidence.text_rank == -1).any()


def test_a_commit_whose_subject_says_nothing_is_found_through_its_files(
    repo: GitRepo, fake: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = {
        "crash": commit(
            repo, "fix: crash in the cache plugin", {"src/cache/plugin.py": "1"}, 0, ADA
        ),
        "colour": commit(repo, "feat: colour the terminal", {"src/term/colour.py": "1"}, 1, ADA),
        "store": commit(repo, "feat: a store for the cache", {"src/cache/store.py": "1"}, 2, ADA),
        "tidy cache": commit(repo, "tidy up", {"testing/test_plugin.py": "2"}, 3, ADA),
        "tidy colour": commit(repo, "tidy up", {"src/term/colour.py": "2"}, 4, ADA),
    }
    built = History(discover(repo.path), sha)
    backfill(built.paths)
    store = Store.open(built.paths)
    while vectors.embed_waiting(store):
        pass
    search.ensure_text_index(store)

    # Neither "tidy up" shares a word with the query, but one touched the
    # cache plugin (through its test), which the crash fix is about.
    found = find(built, "cache plugin crash")
    assert found[0] == "crash"
    assert found.index("tidy cache") < found.index("tidy colour")
    monkeypatch.setattr(search, "DEFAULT_FUSION", replace(search.DEFAULT_FUSION, files=0.0))
    hits = search_in_process(built.paths, SearchRequest("cache plugin crash")).hits
    score = dict(zip(built.names([h.sha for h in hits]), [h.score for h in hits], strict=True))
    # Without the files, the two "tidy up" commits tie (the same words). Their
    # cosines come from different rows of one matrix product, which another
    # CPU's BLAS may round apart in the last bit, so the tie is to 1e-6; the
    # order is then the engine's rule (higher score, then the newer), which
    # puts the newer first whenever the tie is exact.
    assert score["tidy colour"] == pytest.approx(score["tidy cache"], rel=1e-6, abs=1e-6)
    day = {commit_sha: i for i, commit_sha in enumerate(sha.values())}  # as committed above
    order = sorted(hits, key=lambda h: (-h.score, -day[h.sha]))
    assert [h.sha for h in hits] == [h.sha for h in order]


# -- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["hybrid", "vector", "text"])
@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (Filters(author="grace"), {"cache", "py37", "split"}),
        (Filters(author="ADA@EXAMPLE"), {"colour", "docs", "progress", "merge"}),
        (Filters(since=BASE_TIME + 3 * DAY), {"py37", "progress", "split", "merge"}),
        (Filters(path="src/term"), {"colour", "progress"}),
        (Filters(path="*.md"), {"docs"}),
        (Filters(path="src/*/plugin.py"), {"cache"}),
        (Filters(type="fix"), {"cache", "progress"}),
        (Filters(type="merge"), {"merge"}),
        (Filters(author="ada", type="fix", path="src/"), {"progress"}),
        (Filters(author="nobody"), set()),
    ],
)
def test_filters(history: History, mode: str, filters: Filters, allowed: set[str]) -> None:
    # A query that shares a word with every commit, so text mode can return them all.
    query = "the fix in the terminal colour cache fixtures python collector progress topic"
    found = find(history, query, mode=mode, filters=filters)
    assert set(found) <= allowed
    if mode == "vector":
        assert set(found) == allowed  # every commit has a vector: all are ranked


def test_filters_apply_before_the_limit(history: History) -> None:
    # Grace's commits rank low for this query, yet a filtered search fills its limit.
    found = find(history, "colour output terminal", limit=2, filters=Filters(author="grace"))
    assert len(found) == 2 and set(found) <= {"cache", "py37", "split"}


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"mode": "fuzzy"}, "unknown search mode 'fuzzy'; choose one of: hybrid, vector, text"),
        ({"filters": Filters(type="fix!")}, "is not a commit type"),
        ({"limit": 0}, "--limit must be between 1 and 1000"),
    ],
)
def test_bad_requests(request_args: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        SearchRequest("x", **request_args)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="the search query is empty"):
        SearchRequest("   ")


def test_an_unknown_type_names_the_known_ones(history: History) -> None:
    with pytest.raises(UsageError, match=r"unknown commit type 'feet'; use one of: .*feat.*fix"):
        find(history, "x", filters=Filters(type="feet"))


# -- embedders never mix ------------------------------------------------------------------


def test_a_store_whose_embedder_changed_refuses_to_compare(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(EMBEDDERS, "fake", lambda options: FakeEmbedder(8))
    vectors.forget_embedders()
    search._engines.clear()
    with pytest.raises(StoreError, match="never compared; run `hookwise reindex`"):
        find(history, "cache plugin", mode="vector")
    result = search_in_process(history.paths, SearchRequest("cache plugin"))
    assert result.mode == "text"
    assert result.notices and "searching by words only" in result.notices[0]
    assert result.hits[0].sha == history.sha["cache"]


def test_vectors_of_another_embedder_are_never_compared(history: History) -> None:
    store = Store.open(history.paths)
    docs = history.sha["docs"]
    store.table("commit_vectors").delete(f"sha = '{docs}'")
    # A row for this very commit from another embedder, identical to the query.
    query = "explain how fixtures are found"
    other = FakeEmbedder(64, name="other")
    vectors.write_vectors(store, other.id, [docs], other.embed([query]))
    result = search_in_process(history.paths, SearchRequest(query, mode="vector"))
    assert docs not in [h.sha for h in result.hits]
    assert result.notices == (
        f"1 of {len(history.sha)} commits still wait for a vector (the worker embeds them); "
        "they are found by their words only",
    )
    hybrid = search_in_process(history.paths, SearchRequest(query))
    # Found by its words alone: the best text match, and no vector score.
    assert {h.sha: h.score for h in hybrid.hits}[docs] == pytest.approx(search.TEXT_WEIGHT)


def test_a_store_without_vectors_searches_by_words(repo: GitRepo, fake: None) -> None:
    built = build(repo)
    result = search_in_process(built.paths, SearchRequest("cache plugin crash"))
    assert result.mode == "text"
    assert result.hits[0].sha == built.sha["cache"]
    with pytest.raises(StoreError, match="no commit has been embedded"):
        search_in_process(built.paths, SearchRequest("cache plugin crash", mode="vector"))


def test_a_new_commit_is_found_by_words_before_the_index_covers_it(history: History) -> None:
    repo = GitRepo(history.paths.worktree)  # type: ignore[arg-type]
    new = commit(repo, "perf: faster assertion rewriting", {"src/rewrite.py": "r"}, 9, ADA)
    backfill(history.paths)
    found = search_in_process(history.paths, SearchRequest("assertion rewriting", mode="text"))
    assert [h.sha for h in found.hits] == [new]


# -- click-through --------------------------------------------------------------------------


def test_click_boost_counts_similar_queries_and_is_bounded() -> None:
    now = 1_000_000_000.0
    clicks = [Click("colour output", "a" * 40, int(now))]
    assert click_boost("Colour output?", clicks, {}, now=now)["a" * 40] > 0  # same query
    assert click_boost("terminal colours", clicks, {"colour output": 0.9}, now=now)
    assert click_boost("cache crash", clicks, {"colour output": 0.2}, now=now) == {}
    many = [Click("colour output", "a" * 40, int(now))] * 50
    assert 0 < click_boost("colour output", many, {}, now=now)["a" * 40] <= CLICK_MAX_BOOST
    old = [Click("colour output", "a" * 40, int(now - 365 * DAY))]
    assert (
        click_boost("colour output", old, {}, now=now)["a" * 40]
        < click_boost("colour output", clicks, {}, now=now)["a" * 40] / 4
    )


def ranked(paths: RepoPaths, query: str) -> list[tuple[str, float]]:
    hits = search_in_process(paths, SearchRequest(query, mode="hybrid")).hits
    return [(h.sha, h.score) for h in hits]


def test_a_clicked_result_rises_for_the_same_and_a_similar_query(history: History) -> None:
    query = "colour progress"
    before = ranked(history.paths, query)
    unrelated = ranked(history.paths, "cache plugin crash")
    # Two close matches; the user opened the second one.
    assert [s for s, _ in before[:2]] == [history.sha["progress"], history.sha["colour"]]
    gap = before[0][1] - before[1][1]
    assert 0 < gap < CLICK_MAX_BOOST
    store = Store.open(history.paths)
    for _ in range(3):
        record_click(store, query, history.sha["colour"])

    after = ranked(history.paths, query)
    assert after[0][0] == history.sha["colour"]
    boost = dict(after)[history.sha["colour"]] - before[1][1]
    assert gap < boost <= CLICK_MAX_BOOST
    # The same words in another order are a similar query (for this embedder).
    assert ranked(history.paths, "Progress, and colour?")[0][0] == history.sha["colour"]
    # Another query is not.
    assert ranked(history.paths, "cache plugin crash") == unrelated


def test_clicks_never_lift_a_result_above_a_much_stronger_match(history: History) -> None:
    query = "crash in the cache plugin when its folder is missing"
    before = ranked(history.paths, query)
    assert before[0][0] == history.sha["cache"]
    weak = before[-1][0]
    assert before[0][1] - dict(before)[weak] > CLICK_MAX_BOOST
    store = Store.open(history.paths)
    for _ in range(20):
        record_click(store, query, weak)
    after = ranked(history.paths, query)
    assert after[0][0] == history.sha["cache"]
    assert dict(after)[weak] <= dict(before)[weak] + CLICK_MAX_BOOST + 1e-6


# -- the worker's socket -------------------------------------------------------------------


def assert_same_hits(remote: Sequence[Hit], local: Sequence[Hit]) -> None:
    """The same hits in the same order, with scores equal to float32 noise.

    Two processes may round a cosine apart in the last bit (another thread
    count, another BLAS path), so scores agree to 1e-6 and two hits whose
    scores tie to 1e-6 may come in either order; any other difference fails.
    """
    assert len(remote) == len(local)
    for theirs, ours in zip(remote, local, strict=True):
        assert theirs.score == pytest.approx(ours.score, rel=1e-6, abs=1e-6)
        tied = {h.sha for h in local if h.score == pytest.approx(ours.score, rel=1e-6, abs=1e-6)}
        assert theirs.sha in tied
        mine = next(h for h in local if h.sha == theirs.sha)
        assert replace(theirs, score=mine.score) == mine


@pytest.mark.slow
def test_the_socket_and_the_in_process_path_give_the_same_results(
    repo: GitRepo, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.capture import registry, rpc
    from hookwise.search.engine import SearchResult

    # The worker is another process: a registered embedder, as a user has.
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    vectors.forget_embedders()
    search._engines.clear()
    built = build(repo)
    store = Store.open(built.paths)
    while vectors.embed_waiting(store):
        pass
    search.ensure_text_index(store)
    registry.register(built.paths.hookwise_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "worker", "--foreground"], env=dict(os.environ)
    )
    try:
        wait_for(lambda: rpc.socket_path().exists(), timeout=60.0)
        requests = [
            SearchRequest("cache plugin crash"),
            SearchRequest("colour in the terminal", mode="vector", limit=3),
            SearchRequest("fix", mode="text"),
            SearchRequest("terminal", filters=Filters(author="ada", path="src/**")),
        ]
        for request in requests:
            args = {"hookwise_dir": str(built.paths.hookwise_dir), **request.to_args()}
            answer = rpc.call("search", args)
            assert isinstance(answer, dict), answer
            remote = SearchResult.from_json(answer)
            local = search_in_process(built.paths, request)
            assert_same_hits(remote.hits, local.hits)
        bad = rpc.call(
            "search",
            {
                "hookwise_dir": str(built.paths.hookwise_dir),
                "query": "x",
                "filters": {"type": "feet"},
            },
        )
        assert bad["kind"] == "UsageError" and "unknown commit type 'feet'" in bad["error"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def test_an_engine_rereads_the_store_only_when_it_changed(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = SearchEngine(history.paths)
    store = Store.open(history.paths)
    engine.search(store, SearchRequest("cache"))
    reads: list[int] = []
    real = search.Corpus.read

    def counting(store: Store) -> search.Corpus:
        reads.append(1)
        return real(store)

    monkeypatch.setattr(search.Corpus, "read", staticmethod(counting))
    engine.search(store, SearchRequest("colour"))
    assert reads == []
    repo = GitRepo(history.paths.worktree)  # type: ignore[arg-type]
    commit(repo, "chore: later", {"x": "x"}, 10, ADA)
    backfill(history.paths)
    engine.search(store, SearchRequest("colour"))
    assert reads == [1]


def test_the_worker_builds_a_vector_index_and_search_uses_it(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "VECTOR_INDEX_MIN_ROWS", 5)  # 50,000 in earnest
    store = Store.open(history.paths)
    request = SearchRequest("colour terminal output", mode="vector")
    exact = SearchEngine(history.paths).search(store, request).hits

    thread = search.ensure_vector_index(store)
    assert thread is not None
    thread.join(timeout=300)
    assert vectors.vector_index(store) is not None
    assert search.ensure_vector_index(store) is None  # built once

    engine = SearchEngine(history.paths)
    indexed = engine.search(store, request).hits
    assert engine._vectors is not None and engine._vectors.indexed
    assert engine._vectors.matrix.dtype == np.float16
    assert [h.sha for h in indexed] == [h.sha for h in exact]
    assert np.allclose([h.score for h in indexed], [h.score for h in exact], atol=1e-3)
    # A filtered search does not ask the index (it could miss what passes).
    only_docs = engine.search(
        store, SearchRequest("colour", mode="vector", filters=Filters(path="*.md"))
    )
    assert [h.sha for h in only_docs.hits] == [history.sha["docs"]]
    # A reindex drops the index (it was built on the old vectors).
    vectors.reindex(history.paths, "fake")
    assert vectors.vector_index(store) is None
