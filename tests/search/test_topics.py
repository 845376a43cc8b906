"""File topics: the mean vector of the commits that touched each file, and the query's best."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookwise.search import topics
from hookwise.search.topics import FileTopics, file_key

NO_MERGE = -1


def unit(*values: float) -> list[float]:
    v = np.array(values, np.float32)
    return list(v / np.linalg.norm(v))


def build(
    paths: list[list[str]],
    vectors: list[list[float]],
    second_parents: list[int] | None = None,
    present: list[bool] | None = None,
) -> FileTopics:
    n = len(paths)
    return FileTopics.build(
        pa.array(paths, pa.list_(pa.string())),
        np.array(second_parents or [NO_MERGE] * n, np.int64),
        np.array(vectors, np.float32),
        np.array(present or [True] * n, np.bool_),
    )


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("src/_pytest/cacheprovider.py", "cacheprovider"),
        ("testing/test_cacheprovider.py", "cacheprovider"),
        ("_pytest/CacheProvider.py", "cacheprovider"),
        ("pkg/store/db_test.go", "db"),
        ("web/src/button.test.tsx", "button"),
        ("tests/test_.py", ""),
        (".gitignore", ".gitignore"),
        ("Makefile", "makefile"),
        ("changelog/1234.bugfix.rst", "1234"),
    ],
)
def test_a_file_is_known_by_its_name_without_test_affixes(path: str, key: str) -> None:
    assert file_key(path) == key


@given(
    st.lists(
        st.text(alphabet="abcXYZ019._-/", min_size=1, max_size=30).filter(
            lambda p: not p.endswith("/")
        ),
        max_size=8,
    )
)
def test_the_column_keys_are_file_key(paths: list[str]) -> None:
    rows, keys = topics._file_keys(pa.array([paths], pa.list_(pa.string())))
    assert keys.to_pylist() == [file_key(p) for p in paths]
    assert rows.tolist() == [0] * len(paths)


CACHE = unit(1, 0, 0, 0)
CACHE_TOO = unit(1, 0.2, 0, 0)
TERM = unit(0, 1, 0, 0)
OTHER = unit(0, 0, 0, 1)


def test_a_topic_is_the_mean_of_the_commits_that_touched_the_file() -> None:
    found = build(
        [
            ["src/cache.py"],
            ["testing/test_cache.py", "src/cache.py"],  # one pair: a module and its test
            ["src/term.py"],
            ["src/term.py"],
            ["src/lonely.py"],  # one commit: its own vector, no topic
        ],
        [CACHE, CACHE_TOO, TERM, TERM, OTHER],
    )
    assert sorted(found.names) == ["cache", "term"]
    mean = np.add(CACHE, CACHE_TOO)
    # Float32 rounding of a sum and a norm, with room for another CPU's BLAS.
    np.testing.assert_allclose(
        found.topics[found.names.index("cache")], mean / np.linalg.norm(mean), rtol=1e-5, atol=1e-6
    )
    assert found.touched(1) == ["cache"]
    assert found.touched(4) == []


def test_a_file_most_commits_touch_has_no_topic() -> None:
    n = 60
    paths = [["CHANGELOG.md", f"src/m{i // 2}.py"] for i in range(n)]
    found = build(paths, [unit(1, i, 0, 1) for i in range(n)])
    assert topics.MAX_SHARE * n == 3
    assert "changelog" not in found.names
    assert len(found) == n // 2


def test_commits_without_a_vector_do_not_count() -> None:
    found = build(
        [["a.py"], ["a.py"], ["a.py"]], [CACHE, CACHE, [0, 0, 0, 0]], present=[True, True, False]
    )
    assert found.names == ("a",)
    assert found.touched(2) == ["a"]  # still scored through the file's topic
    found = build([["a.py"], ["a.py"]], [CACHE, [0, 0, 0, 0]], present=[True, False])
    assert len(found) == 0


def test_a_merge_touches_the_files_of_its_second_parent() -> None:
    found = build(
        [["src/term.py"], ["src/cache.py"], [], []],
        [TERM, CACHE, CACHE_TOO, OTHER],
        second_parents=[NO_MERGE, NO_MERGE, 1, NO_MERGE],
    )
    # The merge and the commit it brought in make the cache topic between them.
    assert found.touched(2) == ["cache"]
    assert found.names == ("cache",)
    mean = np.add(CACHE, CACHE_TOO)
    np.testing.assert_allclose(found.topics[0], mean / np.linalg.norm(mean), rtol=1e-5, atol=1e-6)


def test_the_query_is_scored_against_the_closest_file_a_commit_touched() -> None:
    found = build(
        [["cache.py"], ["cache.py", "lonely.py"], ["term.py"], ["term.py"], ["x.py"], ["x.py"], []],
        [CACHE, CACHE_TOO, TERM, TERM, OTHER, OTHER, OTHER],
    )
    scores = found.scores(np.array(CACHE, np.float32), np.arange(7))
    assert scores[0] == scores[1] > 0  # both touched cache.py
    assert scores[2:6].tolist() == [0, 0, 0, 0]  # off-topic files: no boost, and no penalty
    assert scores[6] == 0  # touched nothing with a topic
    by_term = found.scores(np.array(TERM, np.float32), np.array([2, 1, 0, 3]))
    assert (by_term > 0).tolist() == [True, False, False, True]
    both = build(
        [["cache.py"], ["cache.py"], ["term.py", "x.py"], ["term.py"], ["x.py"]],
        [CACHE, CACHE, TERM, TERM, OTHER],
    )
    # The closest of a commit's files counts, however many others it touched.
    [mixed, term_only] = both.scores(np.array(TERM, np.float32), np.array([2, 3]))
    assert mixed == term_only > 0


def test_no_topics_no_scores() -> None:
    found = build([["a.py"], ["b.py"]], [CACHE, TERM])
    assert len(found) == 0
    assert found.scores(np.array(CACHE, np.float32), np.array([0, 1])).tolist() == [0, 0]
    empty = FileTopics.build(
        pa.array([], pa.list_(pa.string())),
        np.zeros(0, np.int64),
        np.zeros((0, 4), np.float32),
        np.zeros(0, np.bool_),
    )
    assert len(empty) == 0
    assert empty.scores(np.array(CACHE, np.float32), np.zeros(0, np.int64)).size == 0


def test_topics_are_summed_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    paths = [[f"m{rng.integers(8)}.py", f"n{rng.integers(5)}.py"] for _ in range(200)]
    vectors = rng.normal(size=(200, 4)).astype(np.float32)
    whole = build(paths, vectors.tolist())
    monkeypatch.setattr(topics, "_CHUNK", 7)
    chunked = build(paths, vectors.tolist())
    assert whole.names == chunked.names
    # Chunks add in another order: float32 noise of a sum of ~50 rows is near
    # 1e-6, so 1e-5; a chunk lost or counted twice moves a topic by 0.05 or more.
    np.testing.assert_allclose(whole.topics, chunked.topics, rtol=1e-5, atol=1e-5)
    half = FileTopics.build(
        pa.array(paths, pa.list_(pa.string())),
        np.full(200, NO_MERGE, np.int64),
        vectors.astype(np.float16),
        np.ones(200, np.bool_),
    )
    np.testing.assert_allclose(half.topics, whole.topics, atol=2e-3)
