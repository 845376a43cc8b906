"""Commit vectors: the store's embedder, rows that wait, the worker's batches, reindex."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hookwise.capture.locations import RepoPaths
from hookwise.embed import EMBEDDERS, EmbedderOptions
from hookwise.embed.hashing import IDF_FILENAME
from hookwise.embed.testing import FakeEmbedder
from hookwise.errors import StoreError
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.search import vectors
from hookwise.store import schema
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEmbedder]:
    """The store's default embedder is one shared FakeEmbedder, so calls can be counted."""
    embedder = FakeEmbedder()

    def factory(options: EmbedderOptions) -> FakeEmbedder:
        return embedder

    monkeypatch.setitem(EMBEDDERS, "fake", factory)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    vectors.forget_embedders()
    yield embedder
    vectors.forget_embedders()


def history(repo: GitRepo, n: int) -> tuple[RepoPaths, list[str]]:
    shas = [repo.commit(f"change number {i}", {f"f{i}.txt": str(i)}) for i in range(n)]
    paths = discover(repo.path)
    backfill(paths)
    return paths, shas


def stored(store: Store) -> dict[str, set[str]]:
    """embedder id -> shas with a vector from it."""
    out: dict[str, set[str]] = {}
    for row in store.read("commit_vectors", columns=["sha", "embedder"]).to_pylist():
        out.setdefault(row["embedder"], set()).add(row["sha"])
    return out


def test_waiting_commits_are_embedded_in_batches_newest_first(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "2")
    paths, shas = history(repo, 5)
    store = Store.open(paths)
    assert vectors.read_state(paths) is None
    assert vectors.waiting_count(store) == 5

    done = [vectors.embed_waiting(store) for _ in range(4)]

    assert done == [2, 2, 1, 0]
    assert [len(call) for call in fake.calls] == [2, 2, 1]
    assert fake.calls[0] == ["change number 4", "change number 3"]
    assert vectors.read_state(paths) == vectors.VectorState("fake", fake.id)
    assert stored(store) == {fake.id: set(shas)}
    assert vectors.waiting_count(store) == 0


def test_nothing_is_read_again_while_the_store_is_unchanged(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, _ = history(repo, 2)
    store = Store.open(paths)
    assert vectors.embed_waiting(store) == 2
    assert vectors.embed_waiting(store) == 0

    def fail(*args: object) -> list[str]:
        raise AssertionError("read the store although nothing changed")

    monkeypatch.setattr(vectors, "waiting_shas", fail)
    assert vectors.embed_waiting(store) == 0  # the idle worker calls this every round
    monkeypatch.undo()
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    new = repo.commit("one more")
    backfill(paths)
    assert vectors.embed_waiting(store) == 1
    assert new in stored(store)[fake.id]


def test_the_worker_embeds_when_idle(repo: GitRepo, fake: FakeEmbedder) -> None:
    from hookwise.capture import registry
    from hookwise.search import engine as search
    from hookwise.worker import tasks
    from hookwise.worker.loop import Worker

    assert tasks.idle_tasks() == (vectors.embed_when_idle, search.search_when_idle)
    paths, shas = history(repo, 3)
    registry.register(paths.hookwise_dir)
    worker = Worker(idle_seconds=0, poll_seconds=0)
    worker.idle_tasks = tasks.idle_tasks()
    assert worker.idle_work(paths.hookwise_dir)  # did something
    while worker.idle_work(paths.hookwise_dir):
        pass
    store = Store.open(paths)
    assert stored(store) == {fake.id: set(shas)}
    assert search.text_index_ready(store)


def test_a_hashing_store_is_fitted_on_its_own_commits(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    vectors.forget_embedders()
    paths, shas = history(repo, 4)
    store = Store.open(paths)
    assert vectors.embed_waiting(store) == 4
    state = vectors.read_state(paths)
    assert state is not None and state.name == "hashing"
    assert state.embedder_id.startswith("hashing:v1-") and "unfitted" not in state.embedder_id
    assert (paths.store_dir / IDF_FILENAME).exists()
    assert stored(store) == {state.embedder_id: set(shas)}
    # Another process loads the same fitted state, so its query vectors compare.
    vectors.forget_embedders()
    embedder, _ = vectors.store_embedder(paths)
    assert embedder.id == state.embedder_id


def test_a_store_keeps_its_embedder_when_the_default_changes(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, _ = history(repo, 2)
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
    paths, _ = history(repo, 2)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    # The same registry name now makes other vectors (as a new model would).
    monkeypatch.setitem(EMBEDDERS, "fake", lambda options: FakeEmbedder(8))
    vectors.forget_embedders()
    with pytest.raises(StoreError, match="never compared; run `hookwise reindex`"):
        vectors.store_embedder(paths)
    repo.commit("later")
    backfill(paths)
    assert vectors.embed_waiting(store) == 0
    assert vectors.embed_waiting(store) == 0
    assert set(stored(store)) == {fake.id}  # nothing written under the new id
    log = paths.log_path.read_text()
    assert log.count("not embedding") == 1


def test_rewritten_commits_wait_for_nothing(repo: GitRepo, fake: FakeEmbedder) -> None:
    paths, shas = history(repo, 3)
    store = Store.open(paths)
    # As ingest marks a commit that an amend or a rebase replaced.
    row = store.commits_by_sha([shas[1]])
    column = row.schema.get_field_index("rewritten")
    store.upsert_commit_rows(row.set_column(column, "rewritten", pa.array([True])))
    assert shas[1] not in vectors.waiting_shas(store, None)
    assert vectors.embed_waiting(store) == 2
    assert stored(store) == {fake.id: {shas[0], shas[2]}}


# -- storage -------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(0, 5), st.integers(1, schema.VECTOR_DIMENSION)),
        elements=st.floats(-1, 1, width=32),
    )
)
def test_stored_vectors_round_trip_within_float16(matrix: np.ndarray) -> None:
    back = vectors.from_stored(vectors.to_stored(matrix), matrix.shape[1])
    assert back.shape == matrix.shape and back.dtype == np.float32
    np.testing.assert_allclose(back, matrix, atol=1e-3)


def test_a_wider_embedder_is_refused() -> None:
    with pytest.raises(StoreError, match="at most 384"):
        vectors.to_stored(np.zeros((1, 385), np.float32))


# -- reindex ----------------------------------------------------------------------------


def test_reindex_moves_a_store_to_another_embedder(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.search.engine import SearchRequest, search_in_process

    paths, shas = history(repo, 3)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    seen: list[tuple[int, int, str | None, set[str]]] = []

    def progress(done: int, total: int) -> None:
        state = vectors.read_state(paths)
        seen.append((done, total, state.embedder_id if state else None, set(stored(store))))

    result = vectors.reindex(paths, "hashing", progress=progress)

    state = vectors.read_state(paths)
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
    vectors.forget_embedders()
    paths, _ = history(repo, 2)
    store = Store.open(paths)
    vectors.embed_waiting(store)
    before = vectors.read_state(paths)
    for i in range(3):
        repo.commit(f"completely different words {i}")
    backfill(paths)
    after = vectors.reindex(paths)
    assert before is not None and after.embedder != before.embedder_id
    assert set(stored(store)) == {after.embedder}
    assert vectors.waiting_count(store) == 0


def test_an_interrupted_reindex_leaves_the_store_on_its_embedder(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "1")
    paths, shas = history(repo, 3)
    store = Store.open(paths)
    while vectors.embed_waiting(store):
        pass

    def interrupt(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        vectors.reindex(paths, "hashing", progress=interrupt)
    assert vectors.read_state(paths) == vectors.VectorState("fake", fake.id)
    assert stored(store)[fake.id] == set(shas)
    vectors.reindex(paths, "hashing")  # running it again finishes the job
    state = vectors.read_state(paths)
    assert state is not None and set(stored(store)) == {state.embedder_id}


def test_reindex_waits_for_nobody_else_to_embed(
    repo: GitRepo, fake: FakeEmbedder, tmp_path: Path
) -> None:
    """While a reindex holds the vectors lock, the worker's batches stand aside."""
    from hookwise.store.db import exclusive

    paths, _ = history(repo, 2)
    store = Store.open(paths)
    with exclusive(paths.hookwise_dir / vectors.LOCK_FILE):
        assert vectors.embed_when_idle(None, store) is False  # type: ignore[arg-type]
    assert vectors.embed_when_idle(None, store) is True  # type: ignore[arg-type]
