"""``hookwise reindex``: move a store to another embedder, or refit its own."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hookwise import memory
from hookwise.capture.locations import RepoPaths
from hookwise.embed import FittedEmbedder, default_embedder_name, get_embedder
from hookwise.embed.protocol import Vectors
from hookwise.search.corpus import SEARCHABLE, searchable_commits
from hookwise.search.recipe import commit_vectors, vector_id
from hookwise.search.state import VectorState, read_state, write_state
from hookwise.search.vectors import LOCK_FILE, TEXT_COLUMNS, batch_size, commit_texts
from hookwise.store import vectors as stored
from hookwise.store.db import Store, exclusive

Progress = Callable[[int, int], None]  # (done, total)

#: Vectors are written this many commits at a time, not one embedding round
#: (256) at a time: every write is a version of the vectors table, with a
#: manifest and a small fragment that maintenance compacts later. git.git's
#: 81,966 commits made 321 of them; now 21. 4,096 commits of float32
#: vectors are 6.3 MB to hold.
WRITE_ROWS = 4096


class _Pending:
    """Embedded commits not written yet."""

    def __init__(self) -> None:
        self.shas: list[str] = []
        self.vectors: list[Vectors] = []
        self.rows = 0

    def add(self, shas: list[str], vectors: Vectors) -> None:
        self.shas.extend(shas)
        self.vectors.append(vectors)
        self.rows += len(shas)

    def flush(self, write: Callable[[list[str], Vectors], None]) -> None:
        if self.rows:
            write(self.shas, np.concatenate(self.vectors))
        self.shas, self.vectors, self.rows = [], [], 0


def text_batches(store: Store, size: int) -> Iterator[pa.Table]:
    """The searchable commits' texts (``TEXT_COLUMNS``), ``size`` commits at a time.

    Read as they are embedded, never all at once: as one Arrow table and
    its Python strings, pytest's 17.7k commits with their bodies and paths
    took 180 MB (``VmRSS`` around the read), before the model had run, and
    that grows with the history (git.git's bodies are longer too).
    """
    for batch in store.read_batches("commits", SEARCHABLE, TEXT_COLUMNS, batch_size=size):
        yield pa.Table.from_batches([batch])


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
    its old embedder (running it again finishes the job). The vectors are
    made by the embedder's current recipe (``hookwise.search.recipe``), so a
    store of headline vectors moves to headline + message ones this way too.
    """
    started = time.perf_counter()
    # As the worker does (hookwise.memory): without it, reindexing git.git
    # (81,966 commits) grew to 611 MB by 32k commits and peaked at 794 MB;
    # with two arenas it held 392 MB at 28k.
    memory.use_system_allocator()
    memory.limit_arenas()
    store = Store.open(paths, create=False)
    name = name or default_embedder_name()
    with exclusive(paths.hookwise_dir / LOCK_FILE, timeout=lock_timeout):
        previous = read_state(paths)
        # Built without the store's state: a learning embedder is fitted
        # afresh on today's history, and saved only when the switch happens.
        embedder = get_embedder(name)
        if isinstance(embedder, FittedEmbedder):
            embedder = embedder.fit(commit_texts(searchable_commits(store, TEXT_COLUMNS)))
        target = vector_id(embedder.id)
        total = store.count("commits", SEARCHABLE)
        if progress:
            progress(0, total)
        # Vectors of another id than the store's are what an interrupted
        # reindex left: dropped, so that every batch is a plain append
        # (``stored.append``). The store's own id is replaced in place.
        write = stored.write
        if previous is None or previous.embedder_id != target:
            stored.drop(store, target)
            write = stored.append
        done = 0
        pending = _Pending()
        for batch in text_batches(store, batch_size()):
            shas = batch.column("sha").to_pylist()
            pending.add(shas, commit_vectors(embedder, batch, target))
            if pending.rows >= WRITE_ROWS:
                pending.flush(lambda s, v: write(store, target, s, v))
            done += len(shas)
            if progress:
                progress(min(done, total), total)
        pending.flush(lambda s, v: write(store, target, s, v))
        if progress:
            progress(min(done, total), total)  # and now written
        if isinstance(embedder, FittedEmbedder):
            embedder.save(paths.store_dir)
        write_state(paths, VectorState(name, target))
        with store.lock():
            stored.keep_only(store, target)
            stored.drop_index(store)
    return ReindexResult(
        previous=previous.embedder_id if previous else None,
        embedder=target,
        commits=total,
        seconds=time.perf_counter() - started,
    )
