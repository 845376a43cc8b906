"""Search: modes, filters, embedders that must not mix, click-through, a warm engine."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.embed import EMBEDDERS
from hookwise.embed.testing import FakeEmbedder
from hookwise.errors import StoreError, UsageError
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.search import fusion, vectors
from hookwise.search.clicks import CLICK_MAX_BOOST, record_click
from hookwise.search.corpus import Corpus
from hookwise.search.engine import SearchEngine, search_in_process
from hookwise.search.lexical import ensure_text_index
from hookwise.search.request import Filters, SearchRequest
from hookwise.store import vectors as stored
from hookwise.store.db import Store
from tests.gitrepo import BASE_TIME, GitRepo
from tests.search.commits import ADA, DAY, History, build, commit, find

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
    fused = fusion.fuse(evidence, fusion.DEFAULT_FUSION)
    rows = evidence.rows.tolist()
    expected = {corpus.shas[i]: s for i, s in zip(rows, fused.tolist(), strict=True)}
    found = {h.sha: h.score for h in engine.search(store, request).hits}
    assert found == pytest.approx(expected)
    assert evidence.text_rank.max() >= 0 and (evidence.text_rank == -1).any()


def test_a_commit_whose_subject_says_nothing_is_found_through_its_files(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
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
    ensure_text_index(store)

    # Neither "tidy up" shares a word with the query, but one touched the
    # cache plugin (through its test), which the crash fix is about.
    found = find(built, "cache plugin crash")
    assert found[0] == "crash"
    assert found.index("tidy cache") < found.index("tidy colour")
    monkeypatch.setattr(fusion, "DEFAULT_FUSION", replace(fusion.DEFAULT_FUSION, files=0.0))
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


def test_an_unknown_type_names_the_known_ones(history: History) -> None:
    with pytest.raises(UsageError, match=r"unknown commit type 'feet'; use one of: .*feat.*fix"):
        find(history, "x", filters=Filters(type="feet"))


# -- embedders never mix ------------------------------------------------------------------


def test_a_store_whose_embedder_changed_refuses_to_compare(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(EMBEDDERS, "fake", lambda options: FakeEmbedder(8))
    with pytest.raises(StoreError, match="never compared; run `hookwise reindex`"):
        find(history, "cache plugin", mode="vector")
    result = search_in_process(history.paths, SearchRequest("cache plugin"))
    assert result.mode == "text"
    assert result.notices and "searching by words only" in result.notices[0]
    assert result.hits[0].sha == history.sha["cache"]


def test_vectors_of_another_embedder_are_never_compared(history: History) -> None:
    store = Store.open(history.paths)
    docs = history.sha["docs"]
    store.delete("commit_vectors", f"sha = '{docs}'")
    # A row for this very commit from another embedder, identical to the query.
    query = "explain how fixtures are found"
    other = FakeEmbedder(64, name="other")
    stored.write(store, other.id, [docs], other.embed([query]))
    result = search_in_process(history.paths, SearchRequest(query, mode="vector"))
    assert docs not in [h.sha for h in result.hits]
    assert result.notices == (
        f"1 of {len(history.sha)} commits still wait for a vector (the worker embeds them); "
        "they are found by their words only",
    )
    hybrid = search_in_process(history.paths, SearchRequest(query))
    # Found by its words alone: the best text match, and no vector score.
    assert {h.sha: h.score for h in hybrid.hits}[docs] == pytest.approx(fusion.TEXT_WEIGHT)


def test_a_store_without_vectors_searches_by_words(repo: GitRepo, fake: FakeEmbedder) -> None:
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


def test_an_engine_rereads_the_store_only_when_it_changed(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = SearchEngine(history.paths)
    store = Store.open(history.paths)
    engine.search(store, SearchRequest("cache"))
    reads: list[int] = []
    real = Corpus.read

    def counting(store: Store) -> Corpus:
        reads.append(1)
        return real(store)

    monkeypatch.setattr(Corpus, "read", staticmethod(counting))
    engine.search(store, SearchRequest("colour"))
    assert reads == []
    repo = GitRepo(history.paths.worktree)  # type: ignore[arg-type]
    commit(repo, "chore: later", {"x": "x"}, 10, ADA)
    backfill(history.paths)
    engine.search(store, SearchRequest("colour"))
    assert reads == [1]
