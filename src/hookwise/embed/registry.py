"""The registry of embedders, and how one is chosen.

pre-commit keeps its languages in one dict of name -> implementation; so
does this module, with factories, because building an embedder may read
fitted state from the store directory. Plugins (and tests, see
``hookwise.embed.testing``) add theirs with ``register_embedder``.

Choosing an embedder must stay cheap: importing the embedders' modules
costs a few milliseconds over numpy and never imports torch,
sentence-transformers or tokenizers; the MiniLM model itself loads on the
first ``embed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hookwise.capture.settings import EMBEDDER_DEFAULT, Settings, bad_value
from hookwise.embed.hashing import HashingEmbedder
from hookwise.embed.minilm import MiniLMEmbedder, runtime_installed
from hookwise.embed.protocol import Embedder, embedder_name
from hookwise.errors import SettingsError, UsageError

NEURAL_INSTALL = "pip install 'hookwise[neural]'"


@dataclass(frozen=True)
class EmbedderOptions:
    """What a factory may use; each embedder ignores what does not apply to it."""

    state_dir: Path | None = None  # the store directory, where fitted state lives
    model: str | None = None  # a model name or local path (neural embedders)
    device: str | None = None  # "cpu", "cuda", "mps" ... (neural embedders)
    batch_size: int | None = None


EmbedderFactory = Callable[[EmbedderOptions], Embedder]


def _minilm(options: EmbedderOptions) -> Embedder:
    return MiniLMEmbedder(model=options.model, device=options.device, batch_size=options.batch_size)


def _hashing(options: EmbedderOptions) -> Embedder:
    if options.state_dir is None:
        return HashingEmbedder()
    return HashingEmbedder.load(options.state_dir)


#: Registry name -> factory.
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
