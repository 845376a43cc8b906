"""``hookwise search``: commits found by meaning and by words, fused.

Two retrievers run over the same commits (``hookwise.search.corpus``):

- **vector**: the cosine between the query's vector and each commit's, from
  the store's active embedder (``hookwise.search.matrix``);
- **text**: LanceDB's full-text index (BM25, English stemming and stop
  words) over subject and body (``hookwise.search.lexical``).

The default ``hybrid`` mode adds up what each said about a commit, and the
topic of the files it touched (``hookwise.search.fusion``). Filters
(author, since, path glob, conventional type) select commits before
ranking, so ``--limit`` results are always filled when enough commits match
(``hookwise.search.filters``). Results the user opened for a similar query
earlier get a bounded boost (``hookwise.search.clicks``). The worker answers
over its socket (``hookwise.search.service``); ``search_in_process`` gives
the same answer without it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from hookwise import memory
from hookwise.blas import blas_threads
from hookwise.capture.locations import RepoPaths
from hookwise.embed import Embedder
from hookwise.errors import ExtraMissingError, StoreError
from hookwise.search import fusion
from hookwise.search.clicks import Click, click_boost, read_clicks, word_overlap
from hookwise.search.corpus import Corpus
from hookwise.search.filters import BoolArray, check_type, filter_mask
from hookwise.search.fusion import Evidence, fuse
from hookwise.search.lexical import ensure_text_index, text_scores
from hookwise.search.matrix import FloatArray, VectorMatrix, embed_query
from hookwise.search.request import SearchRequest, SearchResult, normalise_query
from hookwise.search.state import Embedders, state_mtime, store_embedder
from hookwise.search.topics import FileTopics
from hookwise.store import vectors as stored
from hookwise.store.db import Store

# How many commits each retriever proposes before fusion; a commit outside
# both lists cannot be in the top ten of a sensible fusion anyway.
CANDIDATES = 200


def _submit(pool: Executor | None, fn: Any, *args: Any) -> Future[Any]:
    """``pool.submit``, or the call made here and now when there is no pool."""
    if pool is not None:
        return pool.submit(fn, *args)
    done: Future[Any] = Future()
    try:
        done.set_result(fn(*args))
    except Exception as exc:
        done.set_exception(exc)
    return done


@dataclass(frozen=True)
class _Snapshot:
    """What one refresh read; replaced whole, so a search never mixes two."""

    key: tuple[Any, ...]
    corpus: Corpus
    vectors: VectorMatrix | None
    embedder: Embedder | None
    problem: str | None  # why there are no vectors to compare with
    topics: FileTopics | None = None


class SearchEngine:
    """Searches one store; keeps what it read until the store changes.

    The worker keeps one per store (so searches pay for neither reading the
    store nor loading the model); the in-process path builds one and drops it.
    ``embedders`` keeps the store's embedder (shared with the worker's
    embedding); ``text_pool`` runs the text search while the query is
    embedded (without one, the two run one after the other).
    """

    def __init__(
        self,
        paths: RepoPaths,
        *,
        embedders: Embedders | None = None,
        text_pool: Executor | None = None,
    ) -> None:
        self.paths = paths
        self._embedders = embedders or Embedders()
        self._text_pool = text_pool
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._clicks_version: int | None = None
        self._clicks: list[Click] = []
        self._click_vectors: dict[str, FloatArray] = {}

    # -- freshness --------------------------------------------------------------

    def _versions(self, store: Store) -> tuple[Any, ...]:
        return (
            store.version("commits"),
            store.version(stored.VECTOR_TABLE),
            state_mtime(self.paths),
        )

    def refresh(self, store: Store) -> _Snapshot:
        """What the store holds now (read again only if it changed)."""
        key = self._versions(store)
        with self._lock:
            if self._snapshot is not None and self._snapshot.key == key:
                return self._snapshot
            # Let go of the old snapshot before reading the new one: holding
            # both (82k commits: ~200 MB of columns and matrix) was the
            # worker's peak after each batch it embedded. A search under way
            # keeps its own reference; the next one waits for this lock.
            self._snapshot = None
            corpus = Corpus.read(store)
            matrix: VectorMatrix | None = None
            embedder: Embedder | None = None
            problem: str | None = None
            topics: FileTopics | None = None
            try:
                embedder, state = store_embedder(self.paths, self._embedders)
                matrix = VectorMatrix.read(store, embedder, corpus, state.embedder_id)
                # not built where they weigh nothing
                if fusion.fusion_for(matrix.embedder_id).files > 0:
                    topics = FileTopics.build(
                        corpus.table.column("paths"),
                        corpus.second_parents(),
                        matrix.matrix,
                        matrix.present,
                    )
            except ExtraMissingError as exc:
                problem = f"this store's vectors need an extra: {exc}"
            except StoreError as exc:
                problem = str(exc)
            self._snapshot = _Snapshot(key, corpus, matrix, embedder, problem, topics)
            memory.trim()  # the reload's temporaries, back to the system
            return self._snapshot

    def _refresh_clicks(self, store: Store) -> None:
        version = store.version("clicks")
        if version != self._clicks_version:
            self._clicks = read_clicks(store)
            self._clicks_version = version

    @property
    def warm(self) -> bool:
        return self._snapshot is not None

    @property
    def _vectors(self) -> VectorMatrix | None:
        """The vectors of the last refresh (for tests and benchmarks)."""
        return self._snapshot.vectors if self._snapshot else None

    # -- searching ------------------------------------------------------------------

    def search(self, store: Store, request: SearchRequest) -> SearchResult:
        # One search is a chain of small products: on one BLAS thread each
        # (see hookwise.blas), so a busy core cannot stall them.
        with blas_threads(1):
            return self._search(store, request)

    def _search(self, store: Store, request: SearchRequest) -> SearchResult:
        snapshot = self.refresh(store)
        self._refresh_clicks(store)
        corpus, matrix, embedder = snapshot.corpus, snapshot.vectors, snapshot.embedder
        notices: list[str] = []
        check_type(corpus, request.filters.type)
        if len(corpus) == 0:
            notices.append("the store has no commits yet; run `hookwise backfill`")
            return SearchResult(request.query, request.mode, (), None, tuple(notices))
        mode = request.mode
        if matrix is None or embedder is None or not matrix.present.any():
            problem = snapshot.problem or (
                "no commit has a vector yet; the worker embeds them in the background"
            )
            if mode == "vector":
                raise StoreError(problem)
            if mode == "hybrid":
                notices.append(f"searching by words only: {problem}")
                mode = "text"
        elif matrix.waiting and mode != "text":
            notices.append(
                f"{matrix.waiting:,} of {len(corpus):,} commits still wait for a vector "
                "(the worker embeds them); they are found by their words only"
            )
        mask = filter_mask(corpus, request.filters)
        text: Future[dict[int, float]] | None = None
        if mode != "vector":
            # LanceDB's full-text search and the model both leave the GIL:
            # on two cores the words are searched while the query is embedded.
            text = _submit(
                self._text_pool, text_scores, store, corpus, request.query, mask, CANDIDATES
            )
        query_vector: FloatArray | None = None
        if mode != "text":
            assert embedder is not None
            query_vector = embed_query(embedder, request.query)
        scores = self._score(snapshot, query_vector, text, mode, mask, store)
        if request.mode == "hybrid":
            # Clicks re-rank the default mode only: a forced single method
            # shows that method's own ranking (and its own score units).
            boosts = self._boosts(request.query, embedder, query_vector)
            for sha, boost in boosts.items():
                i = corpus.row.get(sha)
                if i is not None and i in scores:
                    scores[i] += boost
        # Equal scores are common in text mode (a backport repeats its
        # original's words): the newer commit first, then by sha for stability.
        times = corpus.committer_times
        ranked = sorted(
            scores.items(), key=lambda item: (-item[1], -times[item[0]], corpus.shas[item[0]])
        )
        hits = tuple(corpus.hit(i, s) for i, s in ranked[: request.limit])
        return SearchResult(
            request.query, mode, hits, matrix.embedder_id if matrix else None, tuple(notices)
        )

    def evidence(self, store: Store, request: SearchRequest) -> tuple[Corpus, Evidence]:
        """What the hybrid mode fuses for ``request``, before fusion and clicks.

        For benchmarks, which weigh the same evidence many ways (``fuse``).
        Raises StoreError when the store has no vectors to compare with.
        """
        snapshot = self.refresh(store)
        if snapshot.vectors is None or snapshot.embedder is None:
            raise StoreError(snapshot.problem or "this store has no vectors yet")
        mask = filter_mask(snapshot.corpus, request.filters)
        text = _submit(
            self._text_pool, text_scores, store, snapshot.corpus, request.query, mask, CANDIDATES
        )
        query_vector = embed_query(snapshot.embedder, request.query)
        return snapshot.corpus, self._evidence(snapshot, query_vector, text, mask, store)

    def _score(
        self,
        snapshot: _Snapshot,
        query_vector: FloatArray | None,
        text_future: Future[dict[int, float]] | None,
        mode: str,
        mask: BoolArray | None,
        store: Store,
    ) -> dict[int, float]:
        """Corpus row -> score of the commits worth ranking."""
        if mode == "text":
            assert text_future is not None
            return text_future.result()
        matrix = snapshot.vectors
        assert matrix is not None and query_vector is not None
        if mode == "vector":
            return matrix.nearest(store, snapshot.corpus, query_vector, mask, CANDIDATES)
        assert text_future is not None
        evidence = self._evidence(snapshot, query_vector, text_future, mask, store)
        fused = fuse(evidence, fusion.fusion_for(matrix.embedder_id))
        return dict(zip(evidence.rows.tolist(), fused.tolist(), strict=True))

    def _evidence(
        self,
        snapshot: _Snapshot,
        query_vector: FloatArray,
        text_future: Future[dict[int, float]],
        mask: BoolArray | None,
        store: Store,
    ) -> Evidence:
        corpus, matrix = snapshot.corpus, snapshot.vectors
        assert matrix is not None
        nearest = matrix.nearest(store, corpus, query_vector, mask, CANDIDATES)
        text = text_future.result()
        by_bm25 = sorted(text, key=lambda i: -text[i])
        # Lexical matches the vector search did not propose get their cosine
        # too; one without a vector yet is judged by its words (and files) alone.
        only_text = [i for i in by_bm25 if i not in nearest]
        rows = np.array([*nearest, *only_text], np.int64)
        cosines = np.zeros(rows.size, np.float64)
        cosines[: len(nearest)] = list(nearest.values())
        has_vector = np.ones(rows.size, np.bool_)
        if only_text:
            tail = rows[len(nearest) :]
            has_vector[len(nearest) :] = matrix.present[tail]
            cosines[len(nearest) :] = matrix.cosine(tail, query_vector)
        mean, std = matrix.scale(query_vector)
        vector = np.where(has_vector, (cosines - mean) / std, 0.0)
        rank = {i: r for r, i in enumerate(by_bm25)}
        text_rank = np.array([rank.get(i, -1) for i in rows.tolist()], np.int64)
        files = (
            snapshot.topics.scores(query_vector, rows).astype(np.float64)
            if snapshot.topics is not None
            else np.zeros(rows.size, np.float64)
        )
        return Evidence(rows, vector, text_rank, files)

    def _boosts(
        self, query: str, embedder: Embedder | None, query_vector: FloatArray | None
    ) -> dict[str, float]:
        if not self._clicks:
            return {}
        similarity: dict[str, float] = {}
        distinct = sorted({c.query for c in self._clicks})
        if embedder is not None and query_vector is not None:
            missing = [q for q in distinct if q not in self._click_vectors]
            if missing:
                embedded = embedder.embed(missing)
                for q, v in zip(missing, embedded, strict=True):
                    self._click_vectors[q] = v
            for q in distinct:
                similarity[q] = float(self._click_vectors[q] @ query_vector)
        else:
            normal = normalise_query(query)
            similarity = {q: word_overlap(normal, q) for q in distinct}
        return click_boost(query, self._clicks, similarity, now=time.time())


def search_in_process(paths: RepoPaths, request: SearchRequest) -> SearchResult:
    """Answer without the worker (slower: reads the store, may load the model).

    Builds what it needs for this one search (an engine, a thread for the
    text search) and keeps nothing.
    """
    store = Store.open(paths, create=False)
    with contextlib.suppress(StoreError):
        ensure_text_index(store)
    with ThreadPoolExecutor(1, thread_name_prefix="hookwise-text-search") as pool:
        return SearchEngine(paths, text_pool=pool).search(store, request)
