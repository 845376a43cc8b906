from __future__ import annotations

from pathlib import Path

import numpy as np

from hookwise.embed.testing import FakeEmbedder
from hookwise.learning.vectors import cache_file, embed_texts


def test_each_distinct_text_is_embedded_once_and_kept_for_the_next_run(tmp_path: Path) -> None:
    texts = ["ruff F401: os unused", "ruff E501: long line", "ruff F401: os unused"]
    first = FakeEmbedder()
    vectors = embed_texts(first, texts, cache=tmp_path)
    assert sorted(first.texts_embedded) == sorted(set(texts))
    assert np.array_equal(vectors[0], vectors[2])
    assert cache_file(tmp_path, first.id).is_file()
    again = FakeEmbedder()
    assert np.array_equal(embed_texts(again, texts, cache=tmp_path), vectors)
    assert again.calls == []
    other = FakeEmbedder(8, name="other")  # another id: another file, embedded afresh
    assert embed_texts(other, texts, cache=tmp_path).shape == (3, 8)
    assert len(other.texts_embedded) == 2


def test_known_vectors_are_used_and_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    cache_file(tmp_path, embedder.id).parent.mkdir(parents=True)
    cache_file(tmp_path, embedder.id).write_bytes(b"not a numpy file")
    known = {"a": np.full(16, 0.25, np.float32)}
    vectors = embed_texts(embedder, ["a", "b"], known, cache=tmp_path)
    assert np.array_equal(vectors[0], known["a"]) and embedder.texts_embedded == ["b"]
    without = FakeEmbedder()
    embed_texts(without, ["a", "b"])
    assert without.texts_embedded == ["a", "b"]
