"""The hashing embedder: a small retrieval model with no heavy dependency.

Each text becomes a bag of features: lowercased words, the parts of
identifiers (``snake_case`` and ``camelCase`` split, the whole kept too), and
character 3- to 5-grams of each part (so ``fixture`` still meets
``fixtures``, ``parametrize`` meets ``parametrization``, and typos match).
Every feature is hashed with blake2b -- stable across processes and
machines, unlike the salted ``hash()`` -- and added with a sign into 384
dimensions (the signed hashing trick keeps collisions from adding up to a
bias), weighted by sublinear term frequency times the feature's inverse
document frequency, then L2-normalised.

The IDF is learned from the repository's own commits (``fit``) and saved
next to the store, so every process that opens the store computes exactly the
same vectors. Vectors from different fits are not comparable, so the ``id``
carries a fingerprint of the fitted state: ``hashing:v1-1a2b3c4d``, or
``hashing:v1-unfitted`` when every IDF is 1.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hookwise.embed.protocol import Vectors
from hookwise.errors import StoreError

#: Bumped whenever tokenising, hashing or weighting changes: old vectors then get a new id.
VERSION = "v1"
DIMENSION = 384
IDF_FILENAME = "hashing-idf.npz"

# Every feature weighs the same. Measured on pytest's changelog-to-commit
# retrieval (docs/embeddings.md): character n-grams weighted anywhere from 0.75
# to 3 times a word score the same, below that they lose (MRR 0.49 without
# them, 0.61 with); adjacent word pairs never helped, so there are none.
_NGRAM_SIZES = (3, 4, 5)

_WORD = re.compile(r"\w+")
# Boundaries inside an identifier: camelCase, ACRONYMWord, letter<->digit.
# Case boundaries are ASCII only, so "naïve" or "Größe" stay one word.
_BOUNDARY = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])"
)

_Features = tuple[int, ...]
_WORD_CACHE_LIMIT = 200_000


def _stable_hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")


def _parts(word: str) -> list[str]:
    """``parse_HTTPResponse2`` -> ``parse``, ``http``, ``response``, ``2``."""
    return [part.lower() for chunk in word.split("_") for part in _BOUNDARY.split(chunk) if part]


class HashingEmbedder:
    """Word and character n-gram hashing with IDF learned from the repository."""

    dimension = DIMENSION

    def __init__(
        self,
        idf_keys: npt.NDArray[np.uint64] | None = None,
        idf_df: npt.NDArray[np.uint32] | None = None,
        n_docs: int = 0,
    ) -> None:
        keys = np.zeros(0, np.uint64) if idf_keys is None else np.asarray(idf_keys, np.uint64)
        df = np.zeros(0, np.uint32) if idf_df is None else np.asarray(idf_df, np.uint32)
        if keys.shape != df.shape or (keys.size and np.any(keys[1:] <= keys[:-1])):
            raise ValueError("idf_keys must be sorted, unique and as long as idf_df")
        self._keys = keys
        self._df = df
        self._n_docs = int(n_docs)
        if self._n_docs > 0:
            # Smoothed IDF as in scikit-learn; a feature seen at most once in
            # the corpus is not stored (that keeps the file small) and gets the
            # IDF of df = 1.
            self._idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float64)
            self._rare_idf = math.log((1.0 + n_docs) / 2.0) + 1.0
            digest = hashlib.blake2b(digest_size=4)
            digest.update(f"{VERSION}:{self._n_docs}:".encode())
            digest.update(keys.astype("<u8").tobytes())
            digest.update(df.astype("<u4").tobytes())
            self.id = f"hashing:{VERSION}-{digest.hexdigest()}"
        else:
            self._idf = np.ones(0, np.float64)
            self._rare_idf = 1.0
            self.id = f"hashing:{VERSION}-unfitted"
        self._word_cache: dict[str, _Features] = {}

    @property
    def is_fitted(self) -> bool:
        return self._n_docs > 0

    @property
    def n_docs(self) -> int:
        return self._n_docs

    # -- features ---------------------------------------------------------

    def _word_features(self, word: str) -> _Features:
        """The hashes of every feature one word yields, cached: words repeat a lot."""
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        parts = _parts(word)
        features = dict.fromkeys(f"w:{part}" for part in parts)
        if len(parts) > 1:
            features[f"w:{''.join(parts)}"] = None
        for part in parts:
            if part.isdigit() or len(part) < 2:
                # n-grams of numbers would make 1234 look like 2345; a single
                # letter's only n-gram would repeat the letter.
                continue
            padded = f"<{part}>"
            for n in _NGRAM_SIZES:
                for i in range(len(padded) - n + 1):
                    features[f"c:{padded[i : i + n]}"] = None
        hashed = tuple(_stable_hash(f) for f in features)
        if len(self._word_cache) >= _WORD_CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = hashed
        return hashed

    def _term_frequencies(self, text: str) -> dict[int, int]:
        """Feature hash -> how many times it occurs in ``text``."""
        tf: dict[int, int] = {}
        for match in _WORD.finditer(text):
            for key in self._word_features(match.group()):
                tf[key] = tf.get(key, 0) + 1
        return tf

    # -- the model ----------------------------------------------------------

    def _lookup_idf(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
        if not self.is_fitted:
            return np.ones(keys.shape, np.float64)
        idf = np.full(keys.shape, self._rare_idf, np.float64)
        if self._keys.size:
            at = np.searchsorted(self._keys, keys)
            at_clipped = np.minimum(at, self._keys.size - 1)
            found = self._keys[at_clipped] == keys
            idf[found] = self._idf[at_clipped[found]]
        return idf

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIMENSION), np.float32)
        for row, text in enumerate(texts):
            tf = self._term_frequencies(text)
            if not tf:
                continue
            keys = np.fromiter(tf.keys(), np.uint64, len(tf))
            # Sublinear TF: a word said five times is not five times the topic.
            weights = 1.0 + np.log(np.fromiter(tf.values(), np.float64, len(tf)))
            weights *= self._lookup_idf(keys)
            # Low bit is the sign, the rest pick the dimension.
            signs = np.where(keys & np.uint64(1), -1.0, 1.0)
            dims = ((keys >> np.uint64(1)) % np.uint64(DIMENSION)).astype(np.intp)
            vector = np.bincount(dims, weights=signs * weights, minlength=DIMENSION)
            norm = float(np.linalg.norm(vector))
            if norm == 0.0:
                # Every feature cancelled another (two single letters whose
                # hashes collide with opposite signs): a text with words must
                # not look empty, so fall back to the unsigned sum.
                vector = np.bincount(dims, weights=weights, minlength=DIMENSION)
                norm = float(np.linalg.norm(vector))
            if norm > 0.0:
                out[row] = vector / norm
        return out

    def fit(self, texts: Iterable[str]) -> HashingEmbedder:
        """A new embedder whose IDF is learned from ``texts`` (e.g. every commit text)."""
        seen: list[npt.NDArray[np.uint64]] = []
        n_docs = 0
        for text in texts:
            n_docs += 1
            tf = self._term_frequencies(text)
            if tf:
                seen.append(np.fromiter(tf.keys(), np.uint64, len(tf)))
        if not seen:
            return HashingEmbedder(n_docs=n_docs) if n_docs else HashingEmbedder()
        keys, df = np.unique(np.concatenate(seen), return_counts=True)
        common = df >= 2
        return HashingEmbedder(keys[common], df[common].astype(np.uint32), n_docs)

    # -- persistence --------------------------------------------------------

    def save(self, directory: Path) -> Path:
        """Write the fitted IDF into ``directory`` (atomically) and return the file."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / IDF_FILENAME
        tmp = directory / f".{IDF_FILENAME}.{os.getpid()}.tmp"
        with tmp.open("wb") as f:
            np.savez_compressed(
                f,
                version=np.array(VERSION),
                n_docs=np.array(self._n_docs, np.int64),
                keys=self._keys,
                df=self._df,
            )
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, directory: Path) -> HashingEmbedder:
        """The embedder saved in ``directory``, or an unfitted one if none was saved."""
        path = directory / IDF_FILENAME
        try:
            with np.load(path, allow_pickle=False) as saved:
                version = str(saved["version"])
                if version != VERSION:
                    raise StoreError(
                        f"{path} was written by hashing embedder {version}, this is {VERSION}; "
                        "run `hookwise reindex` to rebuild it"
                    )
                return cls(saved["keys"], saved["df"], int(saved["n_docs"]))
        except FileNotFoundError:
            return cls()
        except (OSError, KeyError, ValueError) as exc:
            raise StoreError(
                f"cannot read {path} ({exc}); run `hookwise reindex` to rebuild it"
            ) from exc
