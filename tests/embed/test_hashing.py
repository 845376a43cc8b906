from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookwise.embed.hashing import DIMENSION, IDF_FILENAME, HashingEmbedder
from hookwise.errors import StoreError

# Commit subjects in the style of a real Python project: the corpus the IDF
# is learned from.
CORPUS = [
    "Fix crash when the config file is missing",
    "Add --strict-markers option to the command line",
    "Document the tmp_path fixture",
    "Fix flaky test in the cache plugin",
    "Drop support for Python 3.8",
    "Bump version to 8.1.0",
    "Refactor the assertion rewriting hook",
    "Parametrize the fixture tests",
    "Update changelog for the 8.1.0 release",
    "Fix typo in the getting started docs",
    "Speed up collection of large test suites",
    "Use getUserName instead of reading USER from the environment",
    "Test: add regression test for issue 1234",
    "Merge pull request 42 from someone/fix-cache",
    "Raise a clear error when a fixture is not found",
    "Remove deprecated yield_fixture decorator",
]

# (query, the commit it should find, a commit it should rank below)
PARAPHRASES = [
    ("crash if the configuration file is missing", CORPUS[0], CORPUS[5]),
    ("remove python 3.8 support", CORPUS[4], CORPUS[3]),
    ("parametrized fixtures", CORPUS[7], CORPUS[1]),
    ("faster test collection", CORPUS[10], CORPUS[2]),
    ("get_user_name", CORPUS[11], CORPUS[6]),
    ("yield fixtures are deprecated", CORPUS[15], CORPUS[8]),
    ("fixture not found error", CORPUS[14], CORPUS[12]),
]


@pytest.fixture(scope="module")
def fitted() -> HashingEmbedder:
    return HashingEmbedder().fit(CORPUS)


def cosine(embedder: HashingEmbedder, a: str, b: str) -> float:
    va, vb = embedder.embed([a, b])
    return float(va @ vb)


def test_vectors_are_unit_float32_rows(fitted: HashingEmbedder) -> None:
    vectors = fitted.embed(CORPUS)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(CORPUS), DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_no_texts_give_an_empty_matrix(fitted: HashingEmbedder) -> None:
    assert fitted.embed([]).shape == (0, DIMENSION)


def test_a_text_without_words_gives_a_zero_row(fitted: HashingEmbedder) -> None:
    vectors = fitted.embed(["", "  \n", "-- !! --", "__"])
    assert not vectors.any()


def test_words_whose_hashes_cancel_still_give_a_unit_row() -> None:
    # "a" and "ᇁ" land in the same dimension with opposite signs (found by
    # searching); signed hashing alone would make this text an empty one.
    vector = HashingEmbedder().embed(["A ᇁ"])[0]
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize(("query", "related", "unrelated"), PARAPHRASES)
def test_paraphrases_rank_above_unrelated_commits(
    fitted: HashingEmbedder, query: str, related: str, unrelated: str
) -> None:
    assert cosine(fitted, query, related) > cosine(fitted, query, unrelated)


def test_each_paraphrase_finds_its_commit_first(fitted: HashingEmbedder) -> None:
    corpus = fitted.embed(CORPUS)
    queries = fitted.embed([q for q, _, _ in PARAPHRASES])
    best = np.argmax(queries @ corpus.T, axis=1)
    assert [CORPUS[i] for i in best] == [related for _, related, _ in PARAPHRASES]


def test_identifiers_meet_their_words(fitted: HashingEmbedder) -> None:
    assert cosine(fitted, "getUserName", "get user name") > 0.5
    assert cosine(fitted, "yield_fixture", "yield fixture") > 0.5


def test_idf_makes_common_words_count_less() -> None:
    corpus = [f"test {topic}" for topic in ("cache", "config", "fixtures", "markers", "output")]
    corpus += ["flaky network retries"]
    fitted = HashingEmbedder().fit(corpus)
    unfitted = HashingEmbedder()
    query = "test for flaky network"
    # Without IDF "test" is as telling as "flaky"; with it, the rare words win.
    gap_fitted = cosine(fitted, query, corpus[-1]) - cosine(fitted, query, corpus[0])
    gap_unfitted = cosine(unfitted, query, corpus[-1]) - cosine(unfitted, query, corpus[0])
    assert gap_fitted > gap_unfitted


def test_the_id_names_the_fitted_state() -> None:
    unfitted = HashingEmbedder()
    first = HashingEmbedder().fit(CORPUS)
    same = HashingEmbedder().fit(list(CORPUS))
    other = HashingEmbedder().fit([*CORPUS, "Add a brand new subcommand"])
    assert unfitted.id == "hashing:v1-unfitted"
    assert re.fullmatch(r"hashing:v1-[0-9a-f]{8}", first.id)
    assert first.id == same.id
    assert len({unfitted.id, first.id, other.id}) == 3


def test_fitting_returns_a_new_embedder_and_keeps_the_old_one(fitted: HashingEmbedder) -> None:
    before = fitted.id
    vectors = fitted.embed(CORPUS[:3])
    refit = fitted.fit(["something else entirely", "and more"])
    assert fitted.id == before
    np.testing.assert_array_equal(fitted.embed(CORPUS[:3]), vectors)
    assert refit.id != before


def test_fitting_on_nothing_stays_unfitted() -> None:
    assert HashingEmbedder().fit([]).id == "hashing:v1-unfitted"
    assert not HashingEmbedder().fit([]).is_fitted


def test_fitting_on_texts_without_words_is_still_a_fit() -> None:
    embedder = HashingEmbedder().fit(["", "!!"])
    assert embedder.is_fitted
    assert embedder.n_docs == 2
    assert embedder.id != "hashing:v1-unfitted"


def test_unfitted_embedder_still_retrieves() -> None:
    embedder = HashingEmbedder()
    corpus = embedder.embed(CORPUS)
    query = embedder.embed(["the config file is missing"])
    assert int(np.argmax(query @ corpus.T)) == 0


def test_save_and_load_round_trip(tmp_path: Path, fitted: HashingEmbedder) -> None:
    path = fitted.save(tmp_path)
    assert path == tmp_path / IDF_FILENAME
    assert path.stat().st_size < 64_000
    loaded = HashingEmbedder.load(tmp_path)
    assert loaded.id == fitted.id
    assert loaded.n_docs == len(CORPUS)
    np.testing.assert_array_equal(loaded.embed(CORPUS), fitted.embed(CORPUS))
    assert [p.name for p in tmp_path.iterdir()] == [IDF_FILENAME]  # no temporary files left


def test_save_creates_the_store_dir(tmp_path: Path, fitted: HashingEmbedder) -> None:
    fitted.save(tmp_path / "store" / "nested")
    assert HashingEmbedder.load(tmp_path / "store" / "nested").id == fitted.id


def test_loading_from_an_empty_store_dir_is_unfitted(tmp_path: Path) -> None:
    assert HashingEmbedder.load(tmp_path).id == "hashing:v1-unfitted"


def test_a_corrupt_idf_file_says_how_to_recover(tmp_path: Path) -> None:
    (tmp_path / IDF_FILENAME).write_bytes(b"not a zip file")
    with pytest.raises(StoreError, match="hookwise reindex"):
        HashingEmbedder.load(tmp_path)


def test_an_idf_file_from_another_version_says_how_to_recover(tmp_path: Path) -> None:
    np.savez(
        tmp_path / IDF_FILENAME,
        version=np.array("v0"),
        n_docs=np.array(1),
        keys=np.zeros(0, np.uint64),
        df=np.zeros(0, np.uint32),
    )
    with pytest.raises(StoreError, match=r"v0.*hookwise reindex"):
        HashingEmbedder.load(tmp_path)


def test_vectors_are_identical_in_another_process(tmp_path: Path, fitted: HashingEmbedder) -> None:
    # A store is written by the worker and read by the CLI: the same texts
    # must give the same bits in both, so no salted hash() anywhere.
    fitted.save(tmp_path)
    texts = [*CORPUS, "naïve café — 日本語のテキスト", "CamelCaseIdentifier snake_case_name"]
    code = (
        "import sys, json, numpy as np\n"
        "from pathlib import Path\n"
        "from hookwise.embed.hashing import HashingEmbedder\n"
        "store = Path(sys.argv[1])\n"
        "embedder = HashingEmbedder.load(store)\n"
        "texts = json.loads(sys.stdin.read())\n"
        "np.save(store / 'vectors.npy', embedder.embed(texts))\n"
        "print(embedder.id)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == fitted.id
    there, here = np.load(tmp_path / "vectors.npy"), fitted.embed(texts)
    # A salted hash would move words to other buckets: the buckets must be
    # the very same. Their values are sums and a norm, which another
    # process's BLAS may round otherwise in the last bit.
    np.testing.assert_array_equal(there != 0, here != 0)
    np.testing.assert_allclose(there, here, rtol=1e-6, atol=1e-7)


def test_rejects_idf_arrays_that_do_not_match() -> None:
    with pytest.raises(ValueError, match="sorted"):
        HashingEmbedder(np.array([3, 1], np.uint64), np.array([2, 2], np.uint32), 5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=8))
def test_any_unicode_text_gives_unit_or_zero_rows(texts: list[str]) -> None:
    vectors = HashingEmbedder().fit(CORPUS).embed(texts)
    assert vectors.shape == (len(texts), DIMENSION)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    for text, norm in zip(texts, np.linalg.norm(vectors, axis=1), strict=True):
        if re.search(r"[^\W_]", text):  # a letter or digit: something to embed
            assert norm == pytest.approx(1.0, rel=1e-5)
        else:
            assert norm == 0.0


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1))
def test_a_text_is_most_similar_to_itself(text: str) -> None:
    embedder = HashingEmbedder()
    vector = embedder.embed([text])[0]
    np.testing.assert_array_equal(embedder.embed([text])[0], vector)
    assert float(vector @ vector) in (0.0, pytest.approx(1.0, rel=1e-5))
