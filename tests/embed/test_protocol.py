"""The Embedder protocol: ids, fitting once, and what satisfies it."""

from __future__ import annotations

from pathlib import Path

from hookwise.embed.hashing import IDF_FILENAME, HashingEmbedder
from hookwise.embed.protocol import Embedder, FittedEmbedder, embedder_name, ensure_fitted
from hookwise.embed.registry import get_embedder
from hookwise.embed.testing import FakeEmbedder

COMMITS = [
    "Fix crash when the config file is missing",
    "Add --strict-markers option",
    "Document the tmp_path fixture",
    "Fix flaky test in the cache plugin",
]


def test_ensure_fitted_fits_and_saves_once(tmp_path: Path) -> None:
    embedder = ensure_fitted(get_embedder("hashing", state_dir=tmp_path), COMMITS, tmp_path)
    assert isinstance(embedder, HashingEmbedder)
    assert embedder.is_fitted
    assert (tmp_path / IDF_FILENAME).is_file()
    # The next process loads that state and keeps it: the id does not move.
    again = ensure_fitted(get_embedder("hashing", state_dir=tmp_path), ["other"], tmp_path)
    assert again.id == embedder.id


def test_ensure_fitted_leaves_other_embedders_and_their_texts_alone(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    texts = iter(COMMITS)
    assert ensure_fitted(fake, texts, tmp_path) is fake
    assert next(texts) == COMMITS[0]
    assert not any(tmp_path.iterdir())


def test_ensure_fitted_with_no_texts_saves_nothing(tmp_path: Path) -> None:
    embedder = ensure_fitted(HashingEmbedder(), [], tmp_path)
    assert embedder.id == "hashing:v1-unfitted"
    assert not (tmp_path / IDF_FILENAME).exists()


def test_embedders_satisfy_the_protocols() -> None:
    assert isinstance(HashingEmbedder(), FittedEmbedder)
    assert isinstance(FakeEmbedder(), Embedder)
    assert not isinstance(FakeEmbedder(), FittedEmbedder)


def test_embedder_name_is_the_part_before_the_colon() -> None:
    assert embedder_name("hashing:v1-1a2b3c4d") == "hashing"
    assert embedder_name("minilm:all-MiniLM-L6-v2") == "minilm"
