"""The ``commit_vectors`` table: vectors as stored, their reads and writes, their index.

One row per commit per embedder id, keyed on ``(sha, embedder)``
(``schema.TABLES``): ``hookwise reindex`` writes a new embedder's rows next
to the old ones and only then deletes the old. Every read names the
embedder whose rows it wants, so vectors of two embedders never meet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hookwise.errors import StoreError
from hookwise.store import schema
from hookwise.store.db import Store, sql_string

VECTOR_TABLE = "commit_vectors"
VECTOR_INDEX_NAME = "vector_idx"
# One HNSW graph: LanceDB's advice for tables of this size, and measured
# faster to build and to query than sqrt(rows) partitions (docs/search.md).
INDEX_PARTITIONS = 1

FloatMatrix = npt.NDArray[np.float32]


def to_stored(vectors: FloatMatrix) -> pa.FixedSizeListArray:
    """Rows as the store keeps them: zero-padded to VECTOR_DIMENSION, float16."""
    n, dimension = vectors.shape
    if dimension > schema.VECTOR_DIMENSION:
        raise StoreError(
            f"the embedder makes {dimension}-dim vectors; the store keeps at most "
            f"{schema.VECTOR_DIMENSION} dimensions"
        )
    padded = np.zeros((n, schema.VECTOR_DIMENSION), np.float16)
    padded[:, :dimension] = vectors
    return pa.FixedSizeListArray.from_arrays(
        pa.array(padded.reshape(-1), pa.float16()), schema.VECTOR_DIMENSION
    )


def from_stored(
    column: pa.ChunkedArray | pa.Array, dimension: int, dtype: type[np.floating[Any]] = np.float32
) -> npt.NDArray[Any]:
    """The stored rows back as a matrix of the embedder's dimension (float32 by default)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(array) == 0:
        return np.zeros((0, dimension), dtype)
    flat = array.flatten().to_numpy(zero_copy_only=False)
    matrix = flat.reshape(len(array), schema.VECTOR_DIMENSION)[:, :dimension]
    return np.ascontiguousarray(matrix, dtype=dtype)


def _of(embedder_id: str) -> str:
    return f"embedder = {sql_string(embedder_id)}"


def _rows(embedder_id: str, shas: Sequence[str], vectors: FloatMatrix) -> pa.Table:
    return pa.table(
        {
            "sha": pa.array(list(shas), pa.string()),
            "embedder": pa.array([embedder_id] * len(shas), pa.string()),
            "vector": to_stored(vectors),
        },
        schema=schema.COMMIT_VECTORS,
    )


def write(store: Store, embedder_id: str, shas: Sequence[str], vectors: FloatMatrix) -> None:
    """Store ``vectors`` for ``shas`` under ``embedder_id`` (replacing any already there)."""
    if not shas:
        return
    with store.lock():
        store.upsert(VECTOR_TABLE, _rows(embedder_id, shas, vectors), update=True)


def append(store: Store, embedder_id: str, shas: Sequence[str], vectors: FloatMatrix) -> None:
    """Store ``vectors`` for ``shas``, which have none from ``embedder_id`` yet.

    ``write``'s merge joins every batch against the whole table, whose
    memory grows with it: 20,000 vectors written 256 at a time into a
    17,666-vector table took a process from 245 to 341 MB (12 s), and
    appended from 245 to 260 MB (5 s).
    """
    if shas:
        with store.lock():
            store.add(VECTOR_TABLE, _rows(embedder_id, shas, vectors))


def drop(store: Store, embedder_id: str) -> None:
    """Delete every vector of ``embedder_id``."""
    with store.lock():
        store.delete(VECTOR_TABLE, _of(embedder_id))


def count(store: Store, embedder_id: str | None = None) -> int:
    """How many vectors ``embedder_id`` has (every embedder's, without one)."""
    return store.count(VECTOR_TABLE, _of(embedder_id) if embedder_id is not None else None)


def shas(store: Store, embedder_id: str) -> set[str]:
    """The commits that have a vector from ``embedder_id``."""
    rows = store.read(VECTOR_TABLE, _of(embedder_id), columns=["sha"])
    return set(rows.column("sha").to_pylist())


def read(store: Store, embedder_id: str) -> pa.Table:
    """Every ``(sha, vector)`` of ``embedder_id``, as stored (``from_stored`` reads them)."""
    return store.read(VECTOR_TABLE, _of(embedder_id), columns=["sha", "vector"])


def batches(store: Store, embedder_id: str) -> Iterator[pa.RecordBatch]:
    """Like ``read``, a batch at a time (columns ``sha``, ``vector``)."""
    return store.read_batches(VECTOR_TABLE, _of(embedder_id), ["sha", "vector"])


def keep_only(store: Store, embedder_id: str) -> None:
    """Delete every other embedder's vectors (callers hold the store lock)."""
    store.delete(VECTOR_TABLE, f"embedder != {sql_string(embedder_id)}")


def _stale(embedder_id: str) -> str:
    return f"embedder != {sql_string(embedder_id)}"


def stale_count(store: Store, embedder_id: str) -> int:
    """How many vectors another embedder than ``embedder_id`` made (what a model
    change, or a reindex that stopped after its switch, leaves behind)."""
    return store.count(VECTOR_TABLE, _stale(embedder_id))


def stale_shas(store: Store, embedder_id: str, limit: int) -> list[str]:
    """Up to ``limit`` commits that have a vector from another embedder than ``embedder_id``."""
    rows = store.read(VECTOR_TABLE, _stale(embedder_id), columns=["sha"])
    return sorted(set(rows.column("sha").to_pylist()))[:limit]


def drop_stale(store: Store, embedder_id: str, shas: Sequence[str]) -> None:
    """Delete the other embedders' vectors of ``shas`` (callers hold the store lock)."""
    if shas:
        chosen = ", ".join(sql_string(sha) for sha in shas)
        store.delete(VECTOR_TABLE, f"{_stale(embedder_id)} AND sha IN ({chosen})")


def nearest(
    store: Store, query_vector: FloatMatrix, limit: int, embedder_id: str | None
) -> list[str]:
    """The shas of the ``limit`` vectors nearest ``query_vector`` by the index's cosine.

    ``embedder_id`` restricts the search to that embedder's rows (before the
    index is asked, so ``limit`` are still found); None when the table holds
    no other embedder's rows.
    """
    padded = np.zeros(schema.VECTOR_DIMENSION, np.float32)
    padded[: query_vector.size] = query_vector
    with store.reading(VECTOR_TABLE):
        search = (
            store._table(VECTOR_TABLE)
            .search(padded, vector_column_name="vector")
            .distance_type("cosine")
            .select(["sha", "_distance"])
            .limit(limit)
        )
        if embedder_id is not None:
            search = search.where(_of(embedder_id), prefilter=True)
        found: list[str] = search.to_arrow().column("sha").to_pylist()
    return found


def has_index(store: Store) -> bool:
    """Whether LanceDB's vector index of the table exists."""
    with store.reading(VECTOR_TABLE):
        indices = store._table(VECTOR_TABLE).list_indices()
    return any(i.name == VECTOR_INDEX_NAME for i in indices)


def build_index(store: Store) -> None:
    """Build LanceDB's vector index over the store's vectors (minutes at 100k rows).

    HNSW with scalar quantisation: of LanceDB's index types the fastest to
    build here and to query at the recall search needs (docs/search.md).
    Rows added later are searched without the index until the worker's next
    compaction folds them in.
    """
    from lancedb.index import HnswSq

    with store.writing():
        store._table(VECTOR_TABLE).create_index(
            "vector",
            config=HnswSq(distance_type="cosine", num_partitions=INDEX_PARTITIONS),
            name=VECTOR_INDEX_NAME,
            replace=True,
        )


def drop_index(store: Store) -> None:
    """Drop the vector index (it was built on vectors that are gone)."""
    with contextlib.suppress(Exception):
        if has_index(store):
            store._table(VECTOR_TABLE).drop_index(VECTOR_INDEX_NAME)
