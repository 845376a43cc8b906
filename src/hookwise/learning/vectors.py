"""The vectors of a replay's texts, each distinct text embedded once and kept for next time.

An evaluation is run again and again while arms are tried, on the same
history: MiniLM embeds 35-200 texts/s on two shared cores, so pytest's
6,975 mined attempts cost minutes per run, where everything else takes
seconds. So the vectors are kept in one file per embedder id
(``<state>/eval-vectors/<id>.npz``, texts by a 16-byte BLAKE2 digest,
float32 rows as the embedder gave them): the id names the model and its
fitted state, so a file is never read for another embedder. Deleting the
folder only costs the next run its embedding.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hookwise.embed import Embedder

#: Texts embedded per call: small enough to keep MiniLM's batches in memory.
EMBED_BATCH = 512
FOLDER = "eval-vectors"

Vectors = npt.NDArray[np.float32]


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def cache_file(directory: Path, embedder_id: str) -> Path:
    return directory / FOLDER / f"{re.sub(r'[^A-Za-z0-9._-]', '_', embedder_id)}.npz"


def read_cache(path: Path, dimension: int) -> dict[bytes, Vectors]:
    """The kept vectors by digest; nothing when the file is missing or unreadable."""
    try:
        with np.load(path) as kept:
            keys, vectors = kept["keys"], kept["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    if vectors.ndim != 2 or vectors.shape[1] != dimension or len(keys) != len(vectors):
        return {}
    return {bytes(k): v for k, v in zip(keys, vectors.astype(np.float32), strict=True)}


def write_cache(path: Path, vectors: Mapping[bytes, Vectors], dimension: int) -> None:
    """All of ``vectors``, written whole to a temporary file and moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(vectors), dtype="S16")
    rows = np.stack(list(vectors.values())) if vectors else np.zeros((0, dimension), np.float32)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, keys=keys, vectors=rows.astype(np.float32))
    tmp.replace(path)


def embed_texts(
    embedder: Embedder,
    texts: Sequence[str],
    known: Mapping[str, Vectors] | None = None,
    *,
    cache: Path | None = None,
) -> Vectors:
    """Each text's vector: from ``known`` (the store's), from the cache in the folder
    ``cache``, or embedded now (each distinct text once, then kept in the cache)."""
    known = known or {}
    path = None if cache is None else cache_file(cache, embedder.id)
    kept = {} if path is None else read_cache(path, embedder.dimension)
    found: dict[str, Vectors] = {}
    for text in set(texts):
        if text in known:
            found[text] = np.asarray(known[text], np.float32)
        elif (key := digest(text)) in kept:
            found[text] = kept[key]
    missing = sorted(set(texts) - set(found))
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        made = embedder.embed(batch)
        found.update(zip(batch, made, strict=True))
        kept.update((digest(t), v) for t, v in zip(batch, made, strict=True))
    if path is not None and missing:
        try:
            write_cache(path, kept, embedder.dimension)
        except OSError:
            pass  # a cache that cannot be written only costs the next run its embedding
    out = np.zeros((len(texts), embedder.dimension), np.float32)
    for i, text in enumerate(texts):
        out[i] = found[text]
    return out
