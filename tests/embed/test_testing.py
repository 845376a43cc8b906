"""The deterministic test double for code that embeds."""

from __future__ import annotations

import numpy as np

from hookwise.embed.testing import FakeEmbedder


def test_fake_embedder_is_deterministic_and_lexical() -> None:
    fake = FakeEmbedder()
    vectors = fake.embed(["fix the cache", "Fix the CACHE", "bump version", ""])
    assert vectors.dtype == np.float32
    assert vectors.shape == (4, 16)
    np.testing.assert_array_equal(vectors[0], vectors[1])
    assert float(np.linalg.norm(vectors[3])) == 0.0
    assert fake.texts_embedded == ["fix the cache", "Fix the CACHE", "bump version", ""]
