"""A deterministic test double for code that embeds (search, suggest, ingest).

``FakeEmbedder`` is a bag of lowercased words hashed into a few dimensions: no
model, no fitting, microseconds per text, and texts sharing words still come
out similar, so ranking tests mean something. It records every call, so a
test can assert what was embedded and in how many batches.

It is not in the registry unless a test asks: ``register_fake_embedder()``
makes ``get_embedder("fake")`` return one; a test that must leave the
registry as it found it uses ``monkeypatch.setitem(EMBEDDERS, "fake",
fake_embedder_factory())``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from hookwise.embed.protocol import Vectors
from hookwise.embed.registry import EmbedderFactory, EmbedderOptions, register_embedder

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    def __init__(self, dimension: int = 16, *, name: str = "fake") -> None:
        self.dimension = dimension
        self.id = f"{name}:bag-of-words-{dimension}"
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dimension), np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0.0:
                out[row] /= norm
        return out

    @property
    def texts_embedded(self) -> list[str]:
        return [text for call in self.calls for text in call]


def fake_embedder_factory(dimension: int = 16) -> EmbedderFactory:
    def factory(options: EmbedderOptions) -> FakeEmbedder:
        return FakeEmbedder(dimension)

    return factory


def register_fake_embedder(dimension: int = 16) -> None:
    """Make ``get_embedder("fake")`` return a fresh ``FakeEmbedder``."""
    register_embedder("fake", fake_embedder_factory(dimension))
