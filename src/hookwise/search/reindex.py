"""``hookwise reindex``: move a store to another embedder, or refit its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from hookwise.capture.locations import RepoPaths
from hookwise.embed import FittedEmbedder, default_embedder_name, get_embedder
from hookwise.search.corpus import searchable_commits
from hookwise.search.state import VectorState, read_state, write_state
from hookwise.search.vectors import LOCK_FILE, TEXT_COLUMNS, batch_size, commit_texts
from hookwise.store import vectors as stored
from hookwise.store.db import Store, exclusive

Progress = Callable[[int, int], None]  # (done, total)


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
            stored.write(store, embedder.id, shas[chunk], embedder.embed(texts[chunk]))
            if progress:
                progress(min(start + step, total), total)
        if isinstance(embedder, FittedEmbedder):
            embedder.save(paths.store_dir)
        write_state(paths, VectorState(name, embedder.id))
        with store.lock():
            stored.keep_only(store, embedder.id)
            stored.drop_index(store)
    return ReindexResult(
        previous=previous.embedder_id if previous else None,
        embedder=embedder.id,
        commits=total,
        seconds=time.perf_counter() - started,
    )
