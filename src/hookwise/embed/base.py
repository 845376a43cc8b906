"""The ``Embedder`` protocol, the registry of embedders, and how one is chosen.

An embedder turns texts into unit-length float32 rows. Its ``id`` names
everything that decides the numbers (model, version, fitted state) as
``<registry name>:<detail>``, and every stored vector records it: a store only
ever compares vectors whose ids are equal, so changing any of those things
means a new id and a ``hookwise reindex``, never a silent mix.

Choosing an embedder must stay cheap: nothing here imports torch or
sentence-transformers; the factories import their module only when called,
and the MiniLM model itself loads on the first ``embed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from hookwise.capture.settings import EMBEDDER_DEFAULT, Settings, bad_value
from hookwise.errors import SettingsError, UsageError

Vectors = npt.NDArray[np.float32]

NEURAL_INSTALL = "pip install 'hookwise[neural]'"


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


@dataclass(frozen=True)
class EmbedderOptions:
    """What a factory may use; each embedder ignores what does not apply to it."""

    state_dir: Path | None = None  # the store directory, where fitted state lives
    model: str | None = None  # a model name or local path (neural embedders)
    device: str | None = None  # "cpu", "cuda", "mps" ... (neural embedders)
    batch_size: int | None = None


EmbedderFactory = Callable[[EmbedderOptions], Embedder]


def _minilm(options: EmbedderOptions) -> Embedder:
    from hookwise.embed.minilm import MiniLMEmbedder

    return MiniLMEmbedder(model=options.model, device=options.device, batch_size=options.batch_size)


def _hashing(options: EmbedderOptions) -> Embedder:
    from hookwise.embed.hashing import HashingEmbedder

    if options.state_dir is None:
        return HashingEmbedder()
    return HashingEmbedder.load(options.state_dir)


#: Registry name -> factory. Plugins (and tests, see ``hookwise.embed.testing``)
#: add theirs with ``register_embedder``.
EMBEDDERS: dict[str, EmbedderFactory] = {
    "minilm": _minilm,
    "hashing": _hashing,
}


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    if ":" in name:
        raise ValueError(f"embedder name {name!r} must not contain ':' (ids use it)")
    EMBEDDERS[name] = factory


def neural_available() -> bool:
    """Whether the neural extra is installed, without paying for importing it."""
    from hookwise.embed.minilm import runtime_installed

    return runtime_installed("auto")


def default_embedder_name() -> str:
    """``$HOOKWISE_EMBEDDER`` if set, else ``minilm`` with the neural extra, else ``hashing``.

    Raises ``SettingsError`` when ``$HOOKWISE_EMBEDDER`` names no registered
    embedder: only the registry, which plugins extend, can tell.
    """
    configured = Settings().embedder
    if configured is None:
        return "minilm" if neural_available() else "hashing"
    if configured not in EMBEDDERS:
        accepts = f"one of {', '.join(sorted(EMBEDDERS))}"
        raise SettingsError(bad_value("HOOKWISE_EMBEDDER", configured, accepts, EMBEDDER_DEFAULT))
    return configured


def get_embedder(
    name: str | None = None,
    *,
    state_dir: Path | None = None,
    model: str | None = None,
    device: str | None = None,
    batch_size: int | None = None,
) -> Embedder:
    """Build the embedder ``name`` (default: ``default_embedder_name()``).

    ``state_dir`` is the store directory: the hashing embedder reads its fitted
    IDF from there. Raises ``UsageError`` for an unknown name and
    ``ExtraMissingError`` for ``minilm`` without the neural extra.
    """
    name = name or default_embedder_name()
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise UsageError(f"unknown embedder {name!r}; choose one of: {known}") from None
    return factory(
        EmbedderOptions(state_dir=state_dir, model=model, device=device, batch_size=batch_size)
    )


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


def describe_embedder(embedder_id: str | None) -> str:
    """One line for ``hookwise status``: which embedder a store uses, and how to do better."""
    if not embedder_id:
        return "no vectors yet"
    if embedder_name(embedder_id) != "hashing":
        return embedder_id
    if Settings().embedder == "hashing":
        return f"{embedder_id} (hashing, as configured)"
    if neural_available():
        advice = "the neural extra is installed: run `hookwise reindex` to move to minilm"
    else:
        advice = (
            f"for better search install the neural extra ({NEURAL_INSTALL}) "
            "and run `hookwise reindex`"
        )
    return f"{embedder_id} (hashing fallback; {advice})"
