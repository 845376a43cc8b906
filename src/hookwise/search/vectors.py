"""Commit vectors: filling the rows that wait for one, a batch per idle round.

Vectors live in ``commit_vectors`` (``hookwise.store.vectors``), one row per
commit per embedder id; the store's active embedder is
``hookwise.search.state``'s business, moving a store to another one
``hookwise.search.reindex``'s.

The worker fills rows that wait for a vector as an idle task
(``Embedding.when_idle``), one batch per round, after the spool is drained:
the metadata backfill never waits for embeddings, and a commit is
searchable by text at once and by meaning a moment later. A store whose
vectors were made by an older recipe (``hookwise.search.recipe``: headlines
only) is moved to the current one the same way, once nothing else waits:
the new vectors are appended beside the old, a batch per round, and when
every commit has one the store switches to them and drops the old, as
``hookwise reindex`` does, so a search never mixes the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hookwise.capture.hooklog import log_error
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
from hookwise.search.corpus import searchable_commits
from hookwise.search.recipe import commit_vectors, vector_id
from hookwise.search.state import (
    Embedders,
    VectorState,
    read_state,
    state_mtime,
    store_embedder,
    write_state,
)
from hookwise.store import vectors as stored
from hookwise.store.db import Store, exclusive

# Held while vectors are written for a store (a worker batch, a reindex), so
# the worker never embeds for an embedder a reindex is replacing.
LOCK_FILE = "vectors.lock"
TEXT_COLUMNS = ["sha", "subject", "body", "paths"]


def batch_size() -> int:
    """Texts per idle round (``HOOKWISE_EMBED_BATCH``; the default's reason is in settings)."""
    return Settings().embed_batch


def commit_texts(rows: pa.Table) -> list[str]:
    """The headline text of each commit of ``rows`` (subject, body, paths); what a
    learning embedder is fitted on (``commit_vectors`` says what is embedded)."""
    subjects = rows.column("subject").to_pylist()
    bodies = rows.column("body").to_pylist()
    paths = rows.column("paths").to_pylist()
    return [
        search_text(s or "", b or "", p or ())
        for s, b, p in zip(subjects, bodies, paths, strict=True)
    ]


def waiting_shas(store: Store, embedder_id: str | None) -> list[str]:
    """Commits without a vector from ``embedder_id``, newest first."""
    commits = searchable_commits(store, ["sha", "committer_time"])
    done = stored.shas(store, embedder_id) if embedder_id else set()
    order = np.argsort(-np.asarray(commits.column("committer_time").fill_null(0)), kind="stable")
    shas = commits.column("sha").to_pylist()
    return [shas[i] for i in order if shas[i] not in done]


def waiting_count(store: Store) -> int:
    """How many commits wait for a vector from the store's active embedder."""
    state = read_state(store.paths)
    return len(waiting_shas(store, state.embedder_id if state else None))


def embed_commits(
    store: Store, embedder: Embedder, shas: Sequence[str], vectors_id: str, *, append: bool = False
) -> int:
    """Embed the commits ``shas`` by ``vectors_id``'s recipe and store their vectors
    under that id (``append``: none of them has one yet); returns how many."""
    if not shas:
        return 0
    rows = store.commits_by_sha(shas).select(TEXT_COLUMNS)
    vectors = commit_vectors(embedder, rows, vectors_id)
    write = stored.append if append else stored.write
    write(store, vectors_id, rows.column("sha").to_pylist(), vectors)
    return int(rows.num_rows)


def read_vectors(
    store: Store,
    embedder: Embedder,
    dtype: type[np.floating[Any]] = np.float32,
    vectors_id: str | None = None,
) -> tuple[list[str], npt.NDArray[Any]]:
    """Every stored vector ``vectors_id`` carries (shas, matrix; float32 unless
    asked): by default the store's own (``vectors.json``), else the embedder's."""
    if vectors_id is None:
        state = read_state(store.paths)
        vectors_id = state.embedder_id if state else embedder.id
    rows = stored.read(store, vectors_id)
    matrix = stored.from_stored(rows.column("vector"), embedder.dimension, dtype)
    return rows.column("sha").to_pylist(), matrix


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
    state = VectorState(name, vector_id(embedder.id))
    write_state(paths, state)
    return state


class Embedding:
    """Fills the vectors that wait, remembering between rounds what it need not redo.

    The worker keeps one for its life: it skips a store whose tables have
    not changed since it last found nothing waiting there (an idle worker
    asks every round), and says only once that it cannot embed for a store.
    """

    def __init__(self, embedders: Embedders | None = None) -> None:
        self.embedders = embedders or Embedders()
        # Table versions at which a store had nothing waiting.
        self._idle_at: dict[Path, tuple[int, int, float]] = {}
        self._refused: set[Path] = set()

    @staticmethod
    def _versions(store: Store) -> tuple[int, int, float]:
        return (
            store.version("commits"),
            store.version(stored.VECTOR_TABLE),
            state_mtime(store.paths),
        )

    def _refuse(self, key: Path, exc: HookwiseError) -> None:
        if key not in self._refused:  # once, not every round
            self._refused.add(key)
            log_error(key, f"worker: not embedding: {exc}")

    def embed_waiting(self, store: Store, *, limit: int | None = None) -> int:
        """Embed up to ``limit`` commits that wait for a vector; 0 when none wait.

        Takes the vectors lock without waiting: while a reindex holds it,
        nothing is embedded here (the reindex embeds everything anyway).
        """
        key = store.paths.hookwise_dir
        if self._idle_at.get(key) == self._versions(store):
            return 0
        with exclusive(store.paths.hookwise_dir / LOCK_FILE, timeout=0):
            state = start_store(store)
            if state is None:
                return 0
            try:
                embedder, state = store_embedder(store.paths, self.embedders)
            except StoreError as exc:
                self._refuse(key, exc)
                return 0
            self._refused.discard(key)
            shas = waiting_shas(store, state.embedder_id)[: limit or batch_size()]
            done = embed_commits(store, embedder, shas, state.embedder_id)
            if done == 0:
                done = _upgrade(store, embedder, state, limit or batch_size())
        if done == 0:
            self._idle_at[key] = self._versions(store)
        return done

    def when_idle(self, store: Store) -> bool:
        """Idle task (``hookwise.worker.tasks``): one batch of waiting commits per round."""
        try:
            return self.embed_waiting(store) > 0
        except StoreLockedError:
            return False  # a reindex or a CLI write holds it; next round
        except HookwiseError as exc:
            # The embedder cannot be built (e.g. the neural extra was removed):
            # say so once, and keep the worker for ingest.
            self._refuse(store.paths.hookwise_dir, exc)
            return False


def _upgrade(store: Store, embedder: Embedder, state: VectorState, limit: int) -> int:
    """One batch of the move of a store made by an older recipe to the current one.

    Returns how many commits got their new vector; 0 when the store is on
    the current recipe, or when this round switched it (every commit had
    one). Callers hold the vectors lock.
    """
    target = vector_id(embedder.id)
    if target == state.embedder_id:
        return 0
    shas = waiting_shas(store, target)[:limit]
    if shas:
        return embed_commits(store, embedder, shas, target, append=True)
    write_state(store.paths, VectorState(state.name, target))
    with store.lock():
        stored.keep_only(store, target)
        stored.drop_index(store)
    return 0


def embed_waiting(store: Store, *, limit: int | None = None) -> int:
    """One batch of waiting commits, embedded by a process that keeps nothing between calls."""
    return Embedding().embed_waiting(store, limit=limit)
