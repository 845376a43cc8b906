"""Commit vectors of headline + message, and how a store of headline vectors moves to them.

The fake embedder stands in for MiniLM: ``message_recipe`` adds it to the
embedders whose vectors are made of headline + message, as a new release
of hookwise does for MiniLM under a store that has headline vectors.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.embed.testing import FakeEmbedder
from hookwise.history.backfill import backfill
from hookwise.search import fusion, recipe, vectors
from hookwise.search.engine import search_in_process
from hookwise.search.reindex import reindex
from hookwise.search.request import SearchRequest
from hookwise.search.state import VectorState, read_state, store_embedder
from hookwise.store import vectors as stored_vectors
from hookwise.store.db import Store
from hookwise.worker.maintenance import Maintenance
from tests.gitrepo import GitRepo
from tests.search.commits import changes, stored


@pytest.fixture
def message_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recipe, "MESSAGE_EMBEDDERS", frozenset({"minilm", "fake"}))


def headline_store(
    repo: GitRepo, n: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[RepoPaths, list[str], Store]:
    """``n`` commits embedded by an older hookwise (headlines), then this release's recipe."""
    paths, shas = changes(repo, n)
    store = Store.open(paths)
    while vectors.embed_waiting(store):
        pass
    monkeypatch.setattr(recipe, "MESSAGE_EMBEDDERS", frozenset({"fake"}))
    return paths, shas, store


def test_the_id_says_what_the_vectors_are_made_of(message_recipe: None) -> None:
    minilm = "minilm:all-MiniLM-L6-v2"
    assert recipe.vector_id(minilm) == "minilm:all-MiniLM-L6-v2+message"
    assert recipe.model_id(recipe.vector_id(minilm)) == minilm
    assert recipe.model_id(minilm) == minilm  # a store of headline vectors
    assert recipe.with_message(recipe.vector_id(minilm))
    assert not recipe.with_message(minilm)
    hashing = "hashing:v1-1a2b3c4d"  # not measured with messages: headlines
    assert recipe.vector_id(hashing) == hashing


def test_a_vector_is_the_unit_mean_of_headline_and_message(message_recipe: None) -> None:
    model = FakeEmbedder(64)
    rows = pa.table(
        {
            "subject": ["Merge pull request #7 from ada/drop-py37", "fix the cache folder"],
            "body": ["Drop Python 3.7\n\nNobody uses it.", ""],
            "paths": [["setup.cfg"], None],
        }
    )
    got = recipe.commit_vectors(model, rows, "fake:bag-of-words-64+message")
    heads = model.embed(["Drop Python 3.7 (drop py37)", "fix the cache folder"])
    messages = model.embed(
        [
            "Merge pull request #7 from ada/drop-py37\n\nDrop Python 3.7\n\nNobody uses it.",
            "fix the cache folder",
        ]
    )
    mean = heads + messages
    mean /= np.linalg.norm(mean, axis=1, keepdims=True)
    np.testing.assert_allclose(got, mean, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)
    # the headline recipe embeds the headlines alone, in one call
    model.calls.clear()
    only = recipe.commit_vectors(model, rows, "fake:bag-of-words-64")
    np.testing.assert_allclose(only, heads, atol=1e-6)
    assert len(model.calls) == 1


def test_each_recipe_has_its_own_weights() -> None:
    assert fusion.fusion_for("minilm:all-MiniLM-L6-v2+message") == fusion.MESSAGE_FUSION
    assert fusion.fusion_for("minilm:all-MiniLM-L6-v2") == fusion.DEFAULT_FUSION
    assert fusion.fusion_for("hashing:v1-1a2b3c4d") == fusion.FUSION["hashing"]
    assert fusion.MESSAGE_FUSION != fusion.DEFAULT_FUSION


def test_a_new_store_gets_the_current_recipe(
    repo: GitRepo, fake: FakeEmbedder, message_recipe: None
) -> None:
    paths, shas = changes(repo, 3)
    store = Store.open(paths)
    while vectors.embed_waiting(store):
        pass
    state = read_state(paths)
    assert state is not None and state.embedder_id == fake.id + recipe.MESSAGE
    assert stored(store) == {state.embedder_id: set(shas)}
    hits = search_in_process(paths, SearchRequest("change number 2", mode="vector")).hits
    assert hits[0].sha == shas[2]


def test_the_worker_moves_a_store_of_headlines_and_never_mixes_them(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "2")
    paths, shas = changes(repo, 5)
    store = Store.open(paths)
    while vectors.embed_waiting(store):  # an older hookwise: headlines
        pass
    assert read_state(paths) == VectorState("fake", fake.id)
    before = search_in_process(paths, SearchRequest("change number 3", mode="vector")).hits

    monkeypatch.setattr(recipe, "MESSAGE_EMBEDDERS", frozenset({"fake"}))  # this release
    target = fake.id + recipe.MESSAGE
    # The store is still usable as it is: same model, its own vectors.
    assert store_embedder(paths)[1].embedder_id == fake.id
    now = search_in_process(paths, SearchRequest("change number 3", mode="vector")).hits
    assert [h.sha for h in now] == [h.sha for h in before]

    seen = []
    while vectors.embed_waiting(store):
        state = read_state(paths)
        seen.append(
            (state.embedder_id if state else None, {k: len(v) for k, v in stored(store).items()})
        )
        # maintenance leaves the new rows alone while the store moves
        assert not Maintenance().reembedding(store)
    # two rows a round, beside the old ones, and the switch after the last
    assert seen == [
        (fake.id, {fake.id: 5, target: 2}),
        (fake.id, {fake.id: 5, target: 4}),
        (fake.id, {fake.id: 5, target: 5}),
    ]
    assert read_state(paths) == VectorState("fake", target)
    assert VectorState("fake", target).model_id == fake.id  # findings keep the model's id
    assert stored(store) == {target: set(shas)}
    rows = store.commits_by_sha(shas).select(vectors.TEXT_COLUMNS)
    expected = recipe.commit_vectors(fake, rows, target)
    _, matrix = vectors.read_vectors(store, fake, vectors_id=fake.id)  # none left
    assert matrix.shape[0] == 0
    assert len(vectors.read_vectors(store, fake)[0]) == len(shas)  # the store's own
    got = stored_vectors.read(store, target)
    by_sha = dict(zip(got.column("sha").to_pylist(), got.column("vector").to_pylist(), strict=True))
    for sha, vector in zip(rows.column("sha").to_pylist(), expected, strict=True):
        # stored as float16, padded to 384 dimensions
        np.testing.assert_allclose(np.asarray(by_sha[sha][:64], np.float32), vector, atol=2e-3)
    hits = search_in_process(paths, SearchRequest("change number 3", mode="vector")).hits
    assert hits[0].sha == shas[3]
    assert vectors.embed_waiting(store) == 0


def test_a_new_commit_during_the_move_gets_the_stores_own_recipe_first(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, shas, store = headline_store(repo, 2, monkeypatch)
    newer = repo.commit("change number 9", {"f9.txt": "9"})
    backfill(paths)
    vectors.embed_waiting(store)  # the store's own recipe first: searchable at once
    assert stored(store) == {fake.id: {*shas, newer}}
    while vectors.embed_waiting(store):
        pass
    assert stored(store) == {fake.id + recipe.MESSAGE: {*shas, newer}}


def test_reindex_moves_a_store_to_the_current_recipe(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, shas, store = headline_store(repo, 3, monkeypatch)
    result = reindex(paths, "fake")
    target = fake.id + recipe.MESSAGE
    assert (result.previous, result.embedder) == (fake.id, target)
    assert read_state(paths) == VectorState("fake", target)
    assert stored(store) == {target: set(shas)}


def test_status_shows_how_far_the_move_to_the_current_recipe_has_come(
    repo: GitRepo, fake: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.history.status import status

    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "2")
    paths, _, store = headline_store(repo, 5, monkeypatch)
    target = fake.id + recipe.MESSAGE
    assert status(paths).embedder["moving"] == {"to": target, "done": 0, "of": 5}
    vectors.embed_waiting(store)
    assert status(paths).embedder["moving"] == {"to": target, "done": 2, "of": 5}
    while vectors.embed_waiting(store):
        pass
    assert status(paths).embedder["moving"] is None
