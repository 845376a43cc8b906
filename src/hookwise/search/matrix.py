"""The vector retriever: a store's vectors in memory, and the nearest commits to a query.

Brute force over an in-memory matrix, which the warm worker keeps between
searches, or LanceDB's vector index from VECTOR_INDEX_MIN_ROWS commits on
(``hookwise.store.vectors``), with the matrix only rescoring its candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hookwise.embed import Embedder
from hookwise.search.corpus import Corpus
from hookwise.store import vectors as stored
from hookwise.store.db import Store

# Cosines of this many commits put a query's cosines on one scale (z-scores).
STATS_SAMPLE = 4096
# Candidates asked of the vector index (brute force proposes as many as asked).
ANN_CANDIDATES = 100
# From this many vectors on the worker builds LanceDB's vector index and an
# unfiltered search uses it: measured with bench/search_latency.py
# --threshold (docs/search.md, "The vector index"). Read as
# ``matrix.VECTOR_INDEX_MIN_ROWS`` wherever it decides, so a benchmark or a
# test can lower it.
VECTOR_INDEX_MIN_ROWS = 50_000

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


def embed_query(embedder: Embedder, query: str) -> FloatArray:
    """The query's vector (an embedder runs a single text on one thread)."""
    matrix = embedder.embed([query])
    row: FloatArray = matrix[0]
    return row


def _top(scores: FloatArray, usable: BoolArray, k: int) -> Iterable[int]:
    """Indices of the ``k`` highest ``scores`` among ``usable`` rows."""
    candidates = np.flatnonzero(usable)
    if candidates.size > k:
        candidates = candidates[np.argpartition(-scores[candidates], k)[:k]]
    return [int(i) for i in candidates]


@dataclass(frozen=True)
class VectorMatrix:
    """The active embedder's vectors, row-aligned with a corpus (zeros where missing).

    Below VECTOR_INDEX_MIN_ROWS the nearest commits are found by brute force
    over a float32 matrix. Above it, and once the worker has built LanceDB's
    vector index, an unfiltered search asks the index for candidates and the
    matrix, kept as float16 there to halve its memory, only rescores them.
    """

    embedder_id: str
    matrix: npt.NDArray[np.floating[Any]]
    present: BoolArray
    sample: FloatArray  # vectors whose cosines put a query's on one scale
    indexed: bool
    mixed: bool  # the table also holds another embedder's rows (a reindex runs)

    @classmethod
    def read(
        cls, store: Store, embedder: Embedder, corpus: Corpus, vector_id: str | None = None
    ) -> VectorMatrix:
        """The vectors ``vector_id`` carries (the store's; the embedder's own id if none)."""
        vector_id = vector_id or embedder.id
        count = stored.count(store, vector_id)
        indexed = count >= VECTOR_INDEX_MIN_ROWS and stored.has_index(store)
        dtype: type[np.floating[Any]] = np.float16 if indexed else np.float32
        matrix = np.zeros((len(corpus), embedder.dimension), dtype)
        present = np.zeros(len(corpus), np.bool_)
        read = 0
        # A batch at a time, straight into place: the worker's peak memory is
        # the matrix and one batch, not the matrix and the whole table.
        for batch in stored.batches(store, vector_id):
            shas = batch.column(0).to_pylist()
            rows = np.fromiter((corpus.row.get(s, -1) for s in shas), np.int64, len(shas))
            keep = rows >= 0
            block = stored.from_stored(batch.column(1), embedder.dimension, dtype)
            matrix[rows[keep]] = block[keep]
            present[rows[keep]] = True
            read += len(shas)
        # A fixed sample, so that the same query gets the same scores in every
        # process that reads the same store.
        chosen = np.flatnonzero(present)
        if chosen.size > STATS_SAMPLE:
            rng = np.random.default_rng(0)
            chosen = np.sort(rng.choice(chosen, STATS_SAMPLE, replace=False))
        sample = np.ascontiguousarray(matrix[chosen], dtype=np.float32)
        mixed = stored.count(store) != read
        return cls(vector_id, matrix, present, sample, indexed, mixed)

    @property
    def waiting(self) -> int:
        return int((~self.present).sum())

    def cosine(self, rows: npt.NDArray[np.int64], query_vector: FloatArray) -> FloatArray:
        block = self.matrix[rows]
        return block.astype(np.float32, copy=False) @ query_vector

    def scale(self, query_vector: FloatArray) -> tuple[float, float]:
        """Mean and spread of this query's cosines over the store (from the sample)."""
        sample = self.sample @ query_vector
        return float(sample.mean()), float(sample.std()) or 1.0

    def nearest(
        self,
        store: Store,
        corpus: Corpus,
        query_vector: FloatArray,
        mask: BoolArray | None,
        k: int,
    ) -> dict[int, float]:
        """Row -> cosine of the ``k`` nearest commits that pass ``mask``."""
        if self.indexed and mask is None:
            return self._nearest_indexed(store, corpus, query_vector, k)
        usable = self.present if mask is None else self.present & mask
        if self.matrix.dtype == np.float32:
            everything: FloatArray = (self.matrix @ query_vector).astype(np.float32, copy=False)
            return {i: float(everything[i]) for i in _top(everything, usable, k)}
        rows = np.flatnonzero(usable)
        subset = self.cosine(rows, query_vector)
        best = np.argsort(-subset)[:k]
        return {int(rows[j]): float(subset[j]) for j in best}

    def _nearest_indexed(
        self, store: Store, corpus: Corpus, query_vector: FloatArray, k: int
    ) -> dict[int, float]:
        # The fused top ten comes from the first hundred by vector or so; the
        # index's cost grows with how many it must return (ef = 1.5 x limit).
        found = stored.nearest(
            store,
            query_vector,
            min(k, ANN_CANDIDATES),
            self.embedder_id if self.mixed else None,
        )
        rows = [corpus.row.get(sha, -1) for sha in found]
        picked = np.array([r for r in rows if r >= 0], np.int64)
        # The index's distances are approximate (quantised); the matrix's are not.
        return dict(zip(picked.tolist(), self.cosine(picked, query_vector).tolist(), strict=True))
