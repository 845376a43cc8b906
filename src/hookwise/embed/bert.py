"""A BERT sentence encoder in numpy: all-MiniLM-L6-v2 without torch.

The warm worker keeps the embedding model for as long as it lives. Through
sentence-transformers that costs torch: about 450 MB resident before a single
weight is loaded, which alone nearly fills the worker's 600 MB budget. The
model itself is small (six layers, 384 wide, 22.7 M weights), so this module
runs the same forward pass with numpy's BLAS and the Rust ``tokenizers``
package instead, reading the model's own ``model.safetensors`` and
``tokenizer.json``:

- resident: about 85 MB for a process that has loaded it (numpy and
  tokenizers included), against about 800 MB for sentence-transformers. The
  layer weights are copied once, transposed (42 MB); the 47 MB of word
  embeddings stay mapped from the file, and only the rows read are resident;
- the vectors agree with ``SentenceTransformer.encode`` to within 1e-6 per
  component (checked by ``tests/embed/test_bert.py``), so a store embedded by
  either runtime can be searched with the other;
- at least as fast: the sequences are sorted by length and batched as
  sentence-transformers does, and a single query skips torch's dispatch.

Only what sentence-transformers' ``Transformer -> Pooling(mean) -> Normalize``
pipeline does for a BERT model with absolute positions is implemented;
``load`` refuses anything else, and the caller falls back to
sentence-transformers for it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

#: What the directory must hold for this runtime to load it.
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
#: Bytes of attention scores one batch may hold (rows x heads x length^2 x 4);
#: long sequences get fewer rows per batch so memory stays flat.
ATTENTION_BYTES = 16 * 1024 * 1024
#: Tokens one batch may hold: bounds the widest activations (tokens x 1536 x 4
#: bytes) while leaving BLAS products big enough to run at full speed.
BATCH_TOKENS = 2048

_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}

# Numerical Recipes' erfc (section 6.2): fractional error below 1.2e-7 everywhere,
# as close as float32 gets, so GELU matches torch's exact (erf) GELU.
_ERFC = (
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
)  # fmt: skip


class UnsupportedModel(ValueError):
    """The directory is not a model this runtime can run (the caller falls back)."""


@dataclass(frozen=True)
class BertConfig:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    max_length: int  # sentence-transformers' max_seq_length
    eps: float

    @classmethod
    def read(cls, directory: Path) -> BertConfig:
        config = _json(directory / "config.json")
        if config.get("model_type") != "bert":
            raise UnsupportedModel(f"model_type is {config.get('model_type')!r}, not 'bert'")
        if config.get("hidden_act", "gelu") != "gelu":
            raise UnsupportedModel(f"hidden_act {config.get('hidden_act')!r} is not 'gelu'")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise UnsupportedModel("only absolute position embeddings are supported")
        pooling = _json(directory / "1_Pooling" / "config.json", default={})
        modes = [key for key, on in pooling.items() if key.startswith("pooling_mode") and on]
        if pooling and modes != ["pooling_mode_mean_tokens"]:
            raise UnsupportedModel(f"pooling {modes} is not mean pooling")
        modules = _json(directory / "modules.json", default=[])
        if modules and not any(str(m.get("type", "")).endswith("Normalize") for m in modules):
            raise UnsupportedModel("the model does not normalise its embeddings")
        if (directory / "2_Dense").exists():
            raise UnsupportedModel("a Dense layer after pooling is not supported")
        st_config = _json(directory / "sentence_bert_config.json", default={})
        positions = int(config["max_position_embeddings"])
        try:
            return cls(
                hidden=int(config["hidden_size"]),
                layers=int(config["num_hidden_layers"]),
                heads=int(config["num_attention_heads"]),
                intermediate=int(config["intermediate_size"]),
                max_positions=positions,
                max_length=min(int(st_config.get("max_seq_length", positions)), positions),
                eps=float(config.get("layer_norm_eps", 1e-12)),
            )
        except KeyError as exc:
            raise UnsupportedModel(f"config.json has no {exc.args[0]!r}") from None


def _json(path: Path, default: Any = None) -> Any:
    if not path.exists():
        if default is not None:
            return default
        raise UnsupportedModel(f"{path.name} is missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UnsupportedModel(f"{path.name} is unreadable: {exc}") from None


def read_safetensors(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Every tensor of a ``.safetensors`` file, each its own read-only memory map.

    The format is an 8-byte little-endian header length, a JSON header
    naming each tensor's dtype, shape and byte range, then the raw data.
    Mapping each tensor on its own lets the caller copy (transpose) most of
    them and drop the maps: the pages read go with them, where one map of
    the whole file would keep every page it was ever read through resident.
    """
    with path.open("rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise UnsupportedModel(f"{path.name} is truncated")
        size = int.from_bytes(head, "little")
        try:
            header = json.loads(fh.read(size))
        except ValueError as exc:
            raise UnsupportedModel(f"{path.name} has a damaged header: {exc}") from None
    base = 8 + size
    tensors: dict[str, npt.NDArray[Any]] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(meta["dtype"])
        if dtype is None:
            raise UnsupportedModel(f"{name} is stored as {meta['dtype']}")
        start, _ = meta["data_offsets"]
        shape = tuple(meta["shape"])
        if not all(shape):
            tensors[name] = np.zeros(shape, dtype)
            continue
        tensors[name] = np.memmap(path, dtype=dtype, mode="r", offset=base + start, shape=shape)
    return tensors


def _float32(array: npt.NDArray[Any]) -> FloatArray:
    """Float32 weights; a float32 tensor stays mapped from the file (only the
    rows read are resident: the word embeddings are 47 MB, a query reads a few)."""
    return array if array.dtype == np.float32 else array.astype(np.float32)


@dataclass(frozen=True)
class _Layer:
    # Weights are kept transposed, (in, out), C-contiguous: ``x @ W`` with a
    # few rows (one query) runs 2.2x faster than on the stored (out, in)
    # layout seen through ``.T``.
    qkv_weight: FloatArray
    qkv_bias: FloatArray
    out_weight: FloatArray
    out_bias: FloatArray
    norm1: tuple[FloatArray, FloatArray]
    up_weight: FloatArray
    up_bias: FloatArray
    down_weight: FloatArray
    down_bias: FloatArray
    norm2: tuple[FloatArray, FloatArray]


class BertEncoder:
    """Mean-pooled, unit-length sentence vectors from a BERT model directory."""

    def __init__(self, directory: Path, config: BertConfig, tensors: dict[str, Any]) -> None:
        from tokenizers import Tokenizer

        self.directory = directory
        self.config = config
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in tensors else ""

        def weight(name: str) -> FloatArray:
            try:
                return _float32(tensors[prefix + name])
            except KeyError:
                raise UnsupportedModel(f"model.safetensors has no {prefix + name}") from None

        def dense(name: str) -> FloatArray:
            return np.ascontiguousarray(weight(name).T)

        self.word = weight("embeddings.word_embeddings.weight")
        self.position = weight("embeddings.position_embeddings.weight")
        self.token_type = weight("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = (
            weight("embeddings.LayerNorm.weight"),
            weight("embeddings.LayerNorm.bias"),
        )
        if self.word.shape[1] != config.hidden:
            raise UnsupportedModel("the word embeddings do not match hidden_size")
        self.layers: list[_Layer] = []
        for i in range(config.layers):
            p = f"encoder.layer.{i}."
            attention = [p + f"attention.self.{part}" for part in ("query", "key", "value")]
            self.layers.append(
                _Layer(
                    qkv_weight=np.concatenate([dense(a + ".weight") for a in attention], axis=1),
                    qkv_bias=np.concatenate([weight(a + ".bias") for a in attention]),
                    out_weight=dense(p + "attention.output.dense.weight"),
                    out_bias=weight(p + "attention.output.dense.bias"),
                    norm1=(
                        weight(p + "attention.output.LayerNorm.weight"),
                        weight(p + "attention.output.LayerNorm.bias"),
                    ),
                    up_weight=dense(p + "intermediate.dense.weight"),
                    up_bias=weight(p + "intermediate.dense.bias"),
                    down_weight=dense(p + "output.dense.weight"),
                    down_bias=weight(p + "output.dense.bias"),
                    norm2=(
                        weight(p + "output.LayerNorm.weight"),
                        weight(p + "output.LayerNorm.bias"),
                    ),
                )
            )
        try:
            self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises its own Exception subclass
            raise UnsupportedModel(f"tokenizer.json is unreadable: {exc}") from None
        self.tokenizer.enable_truncation(config.max_length)
        self.tokenizer.no_padding()

    @classmethod
    def load(cls, directory: Path) -> BertEncoder:
        """Load a sentence-transformers BERT model; ``UnsupportedModel`` if it is not one."""
        missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
        if missing:
            raise UnsupportedModel(f"{', '.join(missing)} missing from {directory}")
        config = BertConfig.read(directory)
        return cls(directory, config, read_safetensors(directory / "model.safetensors"))

    def encode(self, texts: Sequence[str], batch_size: int = 32, workers: int = 1) -> FloatArray:
        """One unit-length row per text, in the order given.

        ``workers`` > 1 runs that many batches at once on threads (numpy
        releases the GIL in the products), each with BLAS on one thread:
        unlike BLAS's own threads, which spin waiting for each other, a
        thread that loses its core to another process only delays its batch.
        """
        out = np.zeros((len(texts), self.config.hidden), np.float32)
        if not texts:
            return out
        batches = self._batches(texts, batch_size)
        if workers <= 1 or len(batches) == 1:
            for rows, token_ids, mask in batches:
                out[rows] = self.forward(token_ids, mask)
            return out
        with ThreadPoolExecutor(workers, thread_name_prefix="hookwise-embed") as pool:
            done = pool.map(lambda batch: self.forward(batch[1], batch[2]), batches)
            for (rows, _, _), vectors in zip(batches, done, strict=True):
                out[rows] = vectors
        return out

    def _batches(
        self, texts: Sequence[str], batch_size: int
    ) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]]:
        """(rows, padded token ids, mask) per batch, longest texts first."""
        ids = [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]
        lengths = np.fromiter((len(row) for row in ids), np.int64, len(ids))
        # Longest first, as sentence-transformers does: batches of similar
        # lengths waste little on padding.
        order = np.argsort(-lengths, kind="stable")
        batches = []
        start = 0
        while start < len(order):
            longest = int(lengths[order[start]])
            per_attention = ATTENTION_BYTES // max(1, self.config.heads * longest * longest * 4)
            fit = min(batch_size, per_attention, BATCH_TOKENS // max(1, longest))
            rows = order[start : start + max(1, fit)]
            token_ids = np.zeros((len(rows), longest), np.int64)
            mask = np.zeros((len(rows), longest), np.float32)
            for r, i in enumerate(rows):
                token_ids[r, : lengths[i]] = ids[i]
                mask[r, : lengths[i]] = 1.0
            batches.append((rows, token_ids, mask))
            start += len(rows)
        return batches

    def forward(self, token_ids: npt.NDArray[np.int64], mask: FloatArray) -> FloatArray:
        """Pooled, normalised vectors for a padded batch (``mask`` is 1 on real tokens)."""
        c = self.config
        batch, length = token_ids.shape
        head = c.hidden // c.heads
        x = self.word[token_ids] + self.position[:length] + self.token_type
        x = _layer_norm(x, *self.embed_norm, c.eps)
        # Padding gets -1e9 before the softmax: exactly zero weight after it.
        pad = ((mask - 1.0) * np.float32(1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(head))
        for layer in self.layers:
            flat = x.reshape(batch * length, c.hidden)
            qkv = flat @ layer.qkv_weight
            qkv += layer.qkv_bias
            qkv = qkv.reshape(batch, length, 3, c.heads, head).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2)
            scores += pad
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * length, c.hidden)
            del qkv, scores
            attended = context @ layer.out_weight
            attended += layer.out_bias
            attended += flat
            x = _layer_norm(attended.reshape(x.shape), *layer.norm1, c.eps)
            flat = x.reshape(batch * length, c.hidden)
            up = flat @ layer.up_weight
            up += layer.up_bias
            hidden = _gelu(up)
            del up
            down = hidden @ layer.down_weight
            del hidden
            down += layer.down_bias
            down += flat
            x = _layer_norm(down.reshape(x.shape), *layer.norm2, c.eps)
        weights = mask[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: FloatArray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
        return result


def _layer_norm(x: FloatArray, gain: FloatArray, bias: FloatArray, eps: float) -> FloatArray:
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    result: FloatArray = centred / np.sqrt(variance + np.float32(eps)) * gain + bias
    return result


def _gelu(x: FloatArray) -> FloatArray:
    """``x * Phi(x)`` with the exact normal CDF, as ``torch.nn.functional.gelu``.

    In place where it can be: this runs on the widest activations of the model.
    """
    z = np.abs(x)
    z *= np.float32(1.0 / math.sqrt(2.0))
    t = z * np.float32(0.5)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = np.full_like(t, _ERFC[-1])
    for coefficient in reversed(_ERFC[1:-1]):
        poly *= t
        poly += np.float32(coefficient)
    poly *= t
    poly += np.float32(_ERFC[0])
    np.square(z, out=z)
    poly -= z
    np.exp(poly, out=poly)
    poly *= t
    poly *= np.float32(0.5)  # erfc(|x| / sqrt 2) / 2, which is Phi(x) below zero
    # Phi(x) = 1 - erfc(x / sqrt 2) / 2 for x >= 0.
    np.subtract(np.float32(1.0), poly, out=poly, where=x >= 0)
    poly *= x
    return poly
