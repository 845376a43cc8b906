"""The ``Embedder`` protocol: what every embedder is, and what code that embeds may rely on.

An embedder turns texts into unit-length float32 rows. Its ``id`` names
everything that decides the numbers (model, version, fitted state) as
``<registry name>:<detail>``, and every stored vector records it: a store only
ever compares vectors whose ids are equal, so changing any of those things
means a new id and a ``hookwise reindex``, never a silent mix.

Embedders (``hashing``, ``minilm``, plugins) import this module; the registry
that names them (``hookwise.embed.registry``) imports them, so imports only
point one way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into a ``(len(texts), dimension)`` float32 matrix of unit rows.

    A text with nothing to embed (empty, or only punctuation for the hashing
    embedder) gives a zero row, so it is never "similar" to anything.
    """

    @property
    def id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


@runtime_checkable
class FittedEmbedder(Embedder, Protocol):
    """An embedder whose vectors depend on statistics of the repository's own texts.

    ``fit`` returns a new embedder (with a new ``id``) rather than changing this
    one, so vectors already labelled with the old id stay truthful.
    """

    @property
    def is_fitted(self) -> bool: ...

    def fit(self, texts: Iterable[str]) -> FittedEmbedder: ...

    def save(self, directory: Path) -> Path: ...


def ensure_fitted(embedder: Embedder, texts: Iterable[str], state_dir: Path) -> Embedder:
    """Fit and save an embedder that learns from the corpus, if it has not been yet.

    Meant for the first backfill of a store: after this the fitted state is
    fixed (and so is the id) until ``hookwise reindex`` fits again. Other
    embedders are returned unchanged and ``texts`` is not consumed.
    """
    if not isinstance(embedder, FittedEmbedder) or embedder.is_fitted:
        return embedder
    fitted = embedder.fit(texts)
    if fitted.is_fitted:
        fitted.save(state_dir)
    return fitted


def embedder_name(embedder_id: str) -> str:
    """The registry name an embedder id belongs to: ``hashing:v1-1a2b3c4d`` -> ``hashing``."""
    return embedder_id.partition(":")[0]
