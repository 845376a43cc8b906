"""Fixtures of the search tests: a deterministic embedder and an embedded history."""

from __future__ import annotations

import pytest

from hookwise.embed import EMBEDDERS, EmbedderOptions
from hookwise.embed.testing import FakeEmbedder
from hookwise.search import vectors
from hookwise.search.lexical import ensure_text_index
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.search.commits import History, build


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeEmbedder:
    """The store's default embedder is one shared FakeEmbedder, so calls can be counted."""
    embedder = FakeEmbedder(64)

    def factory(options: EmbedderOptions) -> FakeEmbedder:
        return embedder

    monkeypatch.setitem(EMBEDDERS, "fake", factory)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    return embedder


@pytest.fixture
def history(repo: GitRepo, fake: FakeEmbedder) -> History:
    built = build(repo)
    store = Store.open(built.paths)
    while vectors.embed_waiting(store):
        pass
    ensure_text_index(store)
    return built
