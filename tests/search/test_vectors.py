"""Commit vectors: the store's embedder, rows that wait, the worker's batches."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from hookwise.embed import EMBEDDERS
from hookwise.embed.hashing import IDF_FILENAME
from hookwise.embed.testing import FakeEmbedder
from hookwise.errors import StoreError
from hookwise.history.backfill import backfill
from hookwise.search import vectors
from hookwise.search.state import VectorState, read_state, store_embedder
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.search.commits import changes, stored


def test_waiting_commits_are_embedded_in_batches_newest_first(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "2")
    paths, shas = changes(repo, 5)
    store = Store.open(paths)
    assert read_state(paths) is None
    assert vectors.waiting_count(store) == 5

    done = [vectors.embed_waiting(store) for _ in range(4)]

    assert done == [2, 2, 1, 0]
    assert [len(call) for call in fake.calls] == [2, 2, 1]
    assert fake.calls[0] == ["change number 4", "change number 3"]
    assert read_state(paths) == VectorState("fake", fake.id)
    assert stored(store) == {fake.id: set(shas)}
    assert vectors.waiting_count(store) == 0


def test_nothing_is_read_again_while_the_store_is_unchanged(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, _ = changes(repo, 2)
    store = Store.open(paths)
    embedding = vectors.Embedding()  # as the worker keeps one
    assert embedding.embed_waiting(store) == 2
    assert embedding.embed_waiting(store) == 0

    def fail(*args: object) -> list[str]:
        raise AssertionError("read the store although nothing changed")

    monkeypatch.setattr(vectors, "waiting_shas", fail)
    assert embedding.embed_waiting(store) == 0  # the idle worker calls this every round
    monkeypatch.undo()
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    new = repo.commit("one more")
    backfill(paths)
    assert embedding.embed_waiting(store) == 1
    assert new in stored(store)[fake.id]


def test_the_worker_embeds_when_idle(repo: GitRepo, fake: FakeEmbedder) -> None:
    from hookwise.capture import registry
    from hookwise.search.lexical import text_index_ready
    from hookwise.worker import tasks
    from hookwise.worker.loop import Worker

    tables = tasks.build()
    search = tables.search
    wrapped = [getattr(t, "__wrapped__", None) for t in tables.idle_tasks]
    # Embedding runs before search's own idle work, so a fresh engine reads new vectors.
    assert wrapped.index(search.embed_when_idle) < wrapped.index(search.when_idle)
    paths, shas = changes(repo, 3)
    registry.register(paths.hookwise_dir)
    worker = Worker(idle_seconds=0, poll_seconds=0)
    worker.idle_tasks = tables.idle_tasks
    assert worker.idle_work(paths.hookwise_dir)  # did something
    while worker.idle_work(paths.hookwise_dir):
        pass
    tables.close()
    store = Store.open(paths)
    assert stored(store) == {fake.id: set(shas)}
    assert text_index_ready(store)


def test_a_hashing_store_is_fitted_on_its_own_commits(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    paths, shas = changes(repo, 4)
    store = Store.open(paths)
    assert vectors.embed_waiting(store) == 4
    state = read_state(paths)
    assert state is not None and state.name == "hashing"
    assert state.embedder_id.startswith("hashing:v1-") and "unfitted" not in state.embedder_id
    assert (paths.store_dir / IDF_FILENAME).exists()
    assert stored(store) == {state.embedder_id: set(shas)}
    # Another process loads the same fitted state, so its query vectors compare.
    embedder, _ = store_embedder(paths)
    assert embedder.id == state.embedder_id


def test_a_store_keeps_its_embedder_when_the_default_changes(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, _ = changes(repo, 2)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    repo.commit("later")
    backfill(paths)
    assert vectors.embed_waiting(store) == 1
    assert set(stored(store)) == {fake.id}


def test_an_embedder_that_changed_is_refused_and_logged_once(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, _ = changes(repo, 2)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    # The same registry name now makes other vectors (as a new model would).
    monkeypatch.setitem(EMBEDDERS, "fake", lambda options: FakeEmbedder(8))
    with pytest.raises(StoreError, match="never compared; run `hookwise reindex`"):
        store_embedder(paths)
    repo.commit("later")
    backfill(paths)
    embedding = vectors.Embedding()  # as the worker keeps one
    assert embedding.embed_waiting(store) == 0
    assert embedding.embed_waiting(store) == 0
    assert set(stored(store)) == {fake.id}  # nothing written under the new id
    log = paths.log_path.read_text()
    assert log.count("not embedding") == 1


def test_rewritten_commits_wait_for_nothing(repo: GitRepo, fake: FakeEmbedder) -> None:
    paths, shas = changes(repo, 3)
    store = Store.open(paths)
    # As ingest marks a commit that an amend or a rebase replaced.
    row = store.commits_by_sha([shas[1]])
    column = row.schema.get_field_index("rewritten")
    store.upsert_commit_rows(row.set_column(column, "rewritten", pa.array([True])))
    assert shas[1] not in vectors.waiting_shas(store, None)
    assert vectors.embed_waiting(store) == 2
    assert stored(store) == {fake.id: {shas[0], shas[2]}}


def test_reindex_waits_for_nobody_else_to_embed(
    repo: GitRepo, fake: FakeEmbedder, tmp_path: Path
) -> None:
    """While a reindex holds the vectors lock, the worker's batches stand aside."""
    from hookwise.store.db import exclusive

    paths, _ = changes(repo, 2)
    store = Store.open(paths)
    with exclusive(paths.hookwise_dir / vectors.LOCK_FILE):
        assert vectors.Embedding().when_idle(store) is False
    assert vectors.Embedding().when_idle(store) is True
