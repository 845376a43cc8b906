"""The worker's search: the socket answers as the in-process path does; the vector index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hookwise.search import matrix
from hookwise.search.engine import SearchEngine, search_in_process
from hookwise.search.reindex import reindex
from hookwise.search.request import Filters, Hit, SearchRequest, SearchResult
from hookwise.search.service import SearchService
from hookwise.store import vectors as stored
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.search.commits import History, build, served


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
    from hookwise.capture import rpc

    # The worker is another process: a registered embedder, as a user has.
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    built = build(repo)
    with served(built.paths):
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


def test_the_worker_builds_a_vector_index_and_search_uses_it(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matrix, "VECTOR_INDEX_MIN_ROWS", 5)  # 50,000 in earnest
    store = Store.open(history.paths)
    request = SearchRequest("colour terminal output", mode="vector")
    exact = SearchEngine(history.paths).search(store, request).hits

    service = SearchService()
    thread = service.ensure_vector_index(store)
    assert thread is not None
    thread.join(timeout=300)
    assert stored.has_index(store)
    assert service.ensure_vector_index(store) is None  # built once
    service.close()

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
    reindex(history.paths, "fake")
    assert not stored.has_index(store)
