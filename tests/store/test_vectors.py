"""The commit_vectors table: vectors as stored, and what its key keeps apart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hookwise.errors import StoreError
from hookwise.git.repo import discover
from hookwise.store import schema
from hookwise.store import vectors as stored
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(0, 5), st.integers(1, schema.VECTOR_DIMENSION)),
        elements=st.floats(-1, 1, width=32),
    )
)
def test_stored_vectors_round_trip_within_float16(matrix: np.ndarray) -> None:
    back = stored.from_stored(stored.to_stored(matrix), matrix.shape[1])
    assert back.shape == matrix.shape and back.dtype == np.float32
    np.testing.assert_allclose(back, matrix, atol=1e-3)


def test_a_wider_embedder_is_refused() -> None:
    with pytest.raises(StoreError, match="at most 384"):
        stored.to_stored(np.zeros((1, 385), np.float32))


def test_stale_vectors_are_other_embedders_rows_and_only_those_are_dropped(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    ones = np.ones((3, 4), np.float32)
    stored.write(store, "old", ["a", "b", "c"], ones)
    stored.write(store, "new", ["a"], ones[:1])
    assert stored.stale_count(store, "new") == 3
    assert stored.stale_shas(store, "new", 2) == ["a", "b"]
    with store.lock():
        stored.drop_stale(store, "new", ["a", "b"])
        stored.drop_stale(store, "new", [])
    assert stored.shas(store, "new") == {"a"}
    assert stored.shas(store, "old") == {"c"}
    assert stored.stale_shas(store, "new", 10) == ["c"]
