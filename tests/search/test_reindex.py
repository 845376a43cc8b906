"""Reindex: a store moves to another embedder, and never half-way."""

from __future__ import annotations

from typing import Any

import pytest

from hookwise.embed.testing import FakeEmbedder
from hookwise.history.backfill import backfill
from hookwise.search import vectors
from hookwise.search.engine import search_in_process
from hookwise.search.reindex import reindex
from hookwise.search.request import SearchRequest
from hookwise.search.state import VectorState, read_state
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.search.commits import changes, stored


def test_reindex_moves_a_store_to_another_embedder(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, shas = changes(repo, 3)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    seen: list[tuple[int, int, str | None, set[str]]] = []

    def progress(done: int, total: int) -> None:
        state = read_state(paths)
        seen.append((done, total, state.embedder_id if state else None, set(stored(store))))

    result = reindex(paths, "hashing", progress=progress)

    state = read_state(paths)
    assert state is not None and state.name == "hashing"
    assert result.previous == fake.id and result.embedder == state.embedder_id
    assert result.commits == 3
    assert stored(store) == {state.embedder_id: set(shas)}  # the old rows are gone
    # Until the last batch was in, the store stayed on its old embedder.
    assert seen[0][:3] == (0, 3, fake.id)
    assert all(s[2] == fake.id for s in seen)
    assert seen[-1][3] == {fake.id, state.embedder_id}
    hits = search_in_process(paths, SearchRequest("change number 2", mode="vector")).hits
    assert hits[0].sha == shas[2]


def test_reindex_with_the_same_embedder_refits_it(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    paths, _ = changes(repo, 2)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    before = read_state(paths)
    for i in range(3):
        repo.commit(f"completely different words {i}")
    backfill(paths)
    after = reindex(paths)
    assert before is not None and after.embedder != before.embedder_id
    assert set(stored(store)) == {after.embedder}
    assert vectors.waiting_count(store) == 0


def test_an_interrupted_reindex_leaves_the_store_on_its_embedder(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "1")
    paths, shas = changes(repo, 3)
    store = Store.open(paths)
    while vectors.embed_waiting(store):
        pass

    def interrupt(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(paths, "hashing", progress=interrupt)
    assert read_state(paths) == VectorState("fake", fake.id)
    assert stored(store)[fake.id] == set(shas)
    reindex(paths, "hashing")  # running it again finishes the job
    state = read_state(paths)
    assert state is not None and set(stored(store)) == {state.embedder_id}
    # What the interrupted run wrote was replaced, not appended to again.
    assert store.count("commit_vectors") == len(shas)


def test_reindex_writes_many_rounds_at_a_time(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write is a version of the vectors table: git.git's 81,966 commits written
    256 at a time made 321 of them."""
    from hookwise.search import reindex as module

    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "2")
    monkeypatch.setattr(module, "WRITE_ROWS", 4)
    paths, shas = changes(repo, 10)
    written: list[int] = []
    real = module.stored.append

    def append(store: Store, embedder_id: str, batch: list[str], vectors: Any) -> None:
        written.append(len(batch))
        real(store, embedder_id, batch, vectors)

    monkeypatch.setattr(module.stored, "append", append)
    result = reindex(paths, "hashing")

    assert written == [4, 4, 2]
    assert stored(Store.open(paths)) == {result.embedder: set(shas)}
