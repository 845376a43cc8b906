"""Commit vectors: which embedder a store uses, filling the rows that wait, reindex.

Every store has one *active* embedder, recorded in ``<store>/vectors.json``
as its registry name and id the first time the store's commits are embedded
(``default_embedder_name()`` then: MiniLM with the neural extra, else the
hashing fallback, whose IDF is fitted on the repository's own commits and
saved next to the store). From then on the store keeps that embedder, even
when another one becomes the default: its vectors would not be comparable.
Only ``hookwise reindex`` moves a store to another embedder.

Vectors live in ``commit_vectors``, one row per commit per embedder id. Search
only ever reads the rows whose id equals the active id, and refuses to embed
a query with an embedder whose id differs (a changed model, a lost IDF file):
vectors of different embedders are never compared.

The worker fills rows that wait for a vector as an idle task, one batch per
round, after the spool is drained: the metadata backfill never waits for
embeddings, and a commit is searchable by text at once and by meaning a
moment later.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.settings import Settings
from hookwise.embed import (
    Embedder,
    FittedEmbedder,
    default_embedder_name,
    ensure_fitted,
    get_embedder,
    search_text,
)
from hookwise.errors import HookwiseError, StoreError, StoreLockedError
from hookwise.store import schema
from hookwise.store.db import Store, exclusive, sql_string

if TYPE_CHECKING:
    from hookwise.worker.loop import Worker

STATE_FILE = "vectors.json"
# Held while vectors are written for a store (a worker batch, a reindex), so
# the worker never embeds for an embedder a reindex is replacing.
LOCK_FILE = "vectors.lock"
VECTOR_TABLE = "commit_vectors"
TEXT_COLUMNS = ["sha", "subject", "body", "paths"]

Progress = Callable[[int, int], None]  # (done, total)
FloatMatrix = npt.NDArray[np.float32]


def batch_size() -> int:
    """Texts per idle round (``HOOKWISE_EMBED_BATCH``; the default's reason is in settings)."""
    return Settings().embed_batch


@dataclass(frozen=True)
class VectorState:
    """The store's active embedder: its registry name and the id its vectors carry."""

    name: str
    embedder_id: str


def state_path(paths: RepoPaths) -> Path:
    return paths.store_dir / STATE_FILE


def read_state(paths: RepoPaths) -> VectorState | None:
    path = state_path(paths)
    try:
        data = json.loads(path.read_text())
        return VectorState(str(data["name"]), str(data["embedder"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"{path} is damaged; run `hookwise reindex` to embed the commits again"
        ) from exc


def write_state(paths: RepoPaths, state: VectorState) -> None:
    path = state_path(paths)
    tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"name": state.name, "embedder": state.embedder_id}) + "\n")
    tmp.replace(path)


# -- the store's embedder -------------------------------------------------------

# Building an embedder can be expensive (MiniLM loads on first use; the
# hashing IDF is read from disk), so each process keeps one per store, and
# builds it again only when the state file changes (a reindex elsewhere).
_embedders: dict[tuple[Path, str], tuple[float, Embedder]] = {}
_embedders_lock = threading.Lock()


def state_mtime(paths: RepoPaths) -> float:
    try:
        return state_path(paths).stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _embedder(paths: RepoPaths, name: str) -> Embedder:
    key = (paths.store_dir, name)
    mtime = state_mtime(paths)
    with _embedders_lock:
        cached = _embedders.get(key)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        embedder = get_embedder(name, state_dir=paths.store_dir)
        _embedders[key] = (mtime, embedder)
        return embedder


def forget_embedders() -> None:
    """Drop the embedders this process keeps (tests; after a reindex)."""
    with _embedders_lock:
        _embedders.clear()


def mismatch_message(state: VectorState, found: str) -> str:
    return (
        f"this store's vectors were made by {state.embedder_id}, but that embedder now "
        f"gives {found} (a different model or fitted state), and vectors of different "
        "embedders are never compared; run `hookwise reindex` to embed the history again"
    )


def store_embedder(paths: RepoPaths) -> tuple[Embedder, VectorState]:
    """The store's active embedder, checked against the id its vectors carry.

    Raises StoreError when the store has no embedder yet or when the embedder
    now gives another id, and ExtraMissingError when its extra is missing.
    """
    state = read_state(paths)
    if state is None:
        raise StoreError(
            "no commit has been embedded in this store yet; the worker does it in the "
            "background (or run `hookwise reindex`)"
        )
    embedder = _embedder(paths, state.name)
    if embedder.id != state.embedder_id:
        raise StoreError(mismatch_message(state, embedder.id))
    return embedder, state


# -- reading and writing vectors -----------------------------------------------


def commit_texts(rows: pa.Table) -> list[str]:
    """What each commit of ``rows`` (subject, body, paths) is embedded from."""
    subjects = rows.column("subject").to_pylist()
    bodies = rows.column("body").to_pylist()
    paths = rows.column("paths").to_pylist()
    return [
        search_text(s or "", b or "", p or ())
        for s, b, p in zip(subjects, bodies, paths, strict=True)
    ]


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


def write_vectors(
    store: Store, embedder_id: str, shas: Sequence[str], vectors: FloatMatrix
) -> None:
    """Store ``vectors`` for ``shas`` under ``embedder_id`` (replacing any already there)."""
    if not shas:
        return
    table = pa.table(
        {
            "sha": pa.array(list(shas), pa.string()),
            "embedder": pa.array([embedder_id] * len(shas), pa.string()),
            "vector": to_stored(vectors),
        },
        schema=schema.COMMIT_VECTORS,
    )
    with store.lock():
        (
            store.table(VECTOR_TABLE)
            .merge_insert(["sha", "embedder"])
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute(table)
        )


def embedded_shas(store: Store, embedder_id: str) -> set[str]:
    rows = store.read(VECTOR_TABLE, f"embedder = {sql_string(embedder_id)}", columns=["sha"])
    return set(rows.column("sha").to_pylist())


def searchable_commits(store: Store, columns: list[str]) -> pa.Table:
    """The commits search covers: every stored commit that was not rewritten."""
    return store.read("commits", "rewritten IS NOT TRUE", columns=columns)


def waiting_shas(store: Store, embedder_id: str | None) -> list[str]:
    """Commits without a vector from ``embedder_id``, newest first."""
    commits = searchable_commits(store, ["sha", "committer_time"])
    done = embedded_shas(store, embedder_id) if embedder_id else set()
    order = np.argsort(-np.asarray(commits.column("committer_time").fill_null(0)), kind="stable")
    shas = commits.column("sha").to_pylist()
    return [shas[i] for i in order if shas[i] not in done]


def waiting_count(store: Store) -> int:
    """How many commits wait for a vector from the store's active embedder."""
    state = read_state(store.paths)
    return len(waiting_shas(store, state.embedder_id if state else None))


def embed_commits(store: Store, embedder: Embedder, shas: Sequence[str]) -> int:
    """Embed the commits ``shas`` and store their vectors; returns how many."""
    if not shas:
        return 0
    rows = store.commits_by_sha(shas).select(TEXT_COLUMNS)
    vectors = embedder.embed(commit_texts(rows))
    write_vectors(store, embedder.id, rows.column("sha").to_pylist(), vectors)
    return int(rows.num_rows)


def read_vectors(
    store: Store, embedder: Embedder, dtype: type[np.floating[Any]] = np.float32
) -> tuple[list[str], npt.NDArray[Any]]:
    """Every stored vector of ``embedder`` (shas, matrix; float32 unless asked)."""
    where = f"embedder = {sql_string(embedder.id)}"
    rows = store.read(VECTOR_TABLE, where, columns=["sha", "vector"])
    matrix = from_stored(rows.column("vector"), embedder.dimension, dtype)
    return rows.column("sha").to_pylist(), matrix


# -- the worker's idle task -----------------------------------------------------------


def start_store(store: Store) -> VectorState | None:
    """Choose the store's embedder on its first embedding (fitting it if it learns).

    Returns None while the store has no commits to learn from yet.
    """
    paths = store.paths
    state = read_state(paths)
    if state is not None:
        return state
    if store.count("commits") == 0:
        return None
    name = default_embedder_name()
    embedder = get_embedder(name, state_dir=paths.store_dir)
    if isinstance(embedder, FittedEmbedder) and not embedder.is_fitted:
        texts = commit_texts(searchable_commits(store, TEXT_COLUMNS))
        embedder = ensure_fitted(embedder, texts, paths.store_dir)
    state = VectorState(name, embedder.id)
    write_state(paths, state)
    return state


@dataclass
class _Seen:
    """Table versions at which a store had nothing waiting (skips re-reading it)."""

    versions: dict[Path, tuple[int, int, float]]
    refused: set[Path]


_seen = _Seen({}, set())


def _versions(store: Store) -> tuple[int, int, float]:
    return (
        int(store.table("commits").version),
        int(store.table(VECTOR_TABLE).version),
        state_mtime(store.paths),
    )


def embed_waiting(store: Store, *, limit: int | None = None) -> int:
    """Embed up to ``limit`` commits that wait for a vector; 0 when none wait.

    Takes the vectors lock without waiting: while a reindex holds it, nothing
    is embedded here (the reindex embeds everything anyway).
    """
    key = store.paths.hookwise_dir
    versions = _versions(store)
    if _seen.versions.get(key) == versions:
        return 0
    with exclusive(store.paths.hookwise_dir / LOCK_FILE, timeout=0):
        state = start_store(store)
        if state is None:
            return 0
        try:
            embedder, state = store_embedder(store.paths)
        except StoreError as exc:
            if key not in _seen.refused:  # once per process, not every round
                _seen.refused.add(key)
                log_error(key, f"worker: not embedding: {exc}")
            return 0
        _seen.refused.discard(key)
        shas = waiting_shas(store, state.embedder_id)[: limit or batch_size()]
        done = embed_commits(store, embedder, shas)
    if done == 0:
        _seen.versions[key] = _versions(store)
    return done


def embed_when_idle(worker: Worker, store: Store) -> bool:
    """Idle task (``hookwise.worker.tasks``): one batch of waiting commits per round."""
    try:
        return embed_waiting(store) > 0
    except StoreLockedError:
        return False  # a reindex or a CLI write holds it; next round
    except HookwiseError as exc:
        # The embedder cannot be built (e.g. the neural extra was removed):
        # say so once, and keep the worker for ingest.
        key = store.paths.hookwise_dir
        if key not in _seen.refused:
            _seen.refused.add(key)
            log_error(key, f"worker: not embedding: {exc}")
        return False


# -- reindex ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReindexResult:
    previous: str | None  # the embedder id before
    embedder: str  # the embedder id now
    commits: int
    seconds: float

    @property
    def commits_per_second(self) -> float:
        return self.commits / self.seconds if self.seconds > 0 else 0.0


def reindex(
    paths: RepoPaths,
    name: str | None = None,
    *,
    progress: Progress | None = None,
    lock_timeout: float = 120.0,
) -> ReindexResult:
    """Embed every commit with embedder ``name`` (default: the default embedder)
    and make it the store's active embedder.

    The new vectors are written next to the old ones, so search keeps using
    the old embedder until the last batch is in; then the state file switches
    and the old rows are deleted. An interrupted reindex leaves the store on
    its old embedder (running it again finishes the job).
    """
    started = time.perf_counter()
    store = Store.open(paths, create=False)
    name = name or default_embedder_name()
    with exclusive(paths.hookwise_dir / LOCK_FILE, timeout=lock_timeout):
        previous = read_state(paths)
        commits = searchable_commits(store, TEXT_COLUMNS)
        texts = commit_texts(commits)
        shas = commits.column("sha").to_pylist()
        # Built without the store's state: a learning embedder is fitted
        # afresh on today's history, and saved only when the switch happens.
        embedder = get_embedder(name)
        if isinstance(embedder, FittedEmbedder):
            embedder = embedder.fit(texts)
        step = batch_size()
        total = len(texts)
        if progress:
            progress(0, total)
        for start in range(0, total, step):
            chunk = slice(start, start + step)
            write_vectors(store, embedder.id, shas[chunk], embedder.embed(texts[chunk]))
            if progress:
                progress(min(start + step, total), total)
        if isinstance(embedder, FittedEmbedder):
            embedder.save(paths.store_dir)
        write_state(paths, VectorState(name, embedder.id))
        forget_embedders()
        with store.lock():
            store.table(VECTOR_TABLE).delete(f"embedder != {sql_string(embedder.id)}")
            drop_vector_index(store)
    _seen.versions.pop(paths.hookwise_dir, None)
    return ReindexResult(
        previous=previous.embedder_id if previous else None,
        embedder=embedder.id,
        commits=total,
        seconds=time.perf_counter() - started,
    )


# -- the vector index -----------------------------------------------------------------

VECTOR_INDEX_NAME = "vector_idx"
# One HNSW graph: LanceDB's advice for tables of this size, and measured
# faster to build and to query than sqrt(rows) partitions (docs/search.md).
INDEX_PARTITIONS = 1


def vector_index(store: Store) -> Any | None:
    for index in store.table(VECTOR_TABLE).list_indices():
        if index.name == VECTOR_INDEX_NAME:
            return index
    return None


def build_vector_index(store: Store) -> None:
    """Build LanceDB's vector index over the store's vectors (minutes at 100k rows).

    HNSW with scalar quantisation: of LanceDB's index types the fastest to
    build here and to query at the recall search needs (docs/search.md).
    Rows added later are searched without the index until the worker's next
    compaction folds them in.
    """
    from lancedb.index import HnswSq

    table = store.table(VECTOR_TABLE)
    table.create_index(
        "vector",
        config=HnswSq(distance_type="cosine", num_partitions=INDEX_PARTITIONS),
        name=VECTOR_INDEX_NAME,
        replace=True,
    )


def drop_vector_index(store: Store) -> None:
    with contextlib.suppress(Exception):
        if vector_index(store) is not None:
            store.table(VECTOR_TABLE).drop_index(VECTOR_INDEX_NAME)
