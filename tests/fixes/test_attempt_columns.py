"""Fix attempts read into columns from a real store: codes, outcomes, vectors, texts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.attempt_columns import UNSEEN, from_attempts, read_columns
from hookwise.fixes.memory import confirm, import_lines, list_attempts
from hookwise.fixes.recommend import FAILURE, SUCCESS, finding_text
from hookwise.fixes.record import record
from hookwise.store.db import Store
from hookwise.store.fixes import (
    fix_attempts_without_vector,
    ranking_batches,
    set_fix_attempt_vectors,
)
from hookwise.store.vectors import to_stored
from tests.fixes.lines import FINDING, line, lines

NOW = 1_714_572_000


def _filled(store: Store) -> HashingEmbedder:
    """Four attempts: two strategies of F401, one of E501 in JavaScript, and one with no
    language; the two oldest with the embedder's vectors, one with another's, one none.
    The newest F401 attempt is then confirmed a failure."""
    js = {**FINDING, "rule": "E501", "message": "line too long", "language": "javascript"}
    result = record(
        store,
        lines(
            line(diff="-import os", commit="c" * 40, time="2024-04-01T12:00:00Z"),
            line(strategy="add to __all__", time="2024-04-02T12:00:00Z"),
            line(finding=js, strategy="wrap", time="2024-04-03T12:00:00Z"),
            line(strategy="add to __all__", time="2024-04-04T12:00:00Z"),
        ),
        now=NOW,
    )
    assert result.bad == ()
    embedder = HashingEmbedder()
    waiting = sorted(fix_attempts_without_vector(store, embedder.id, 10), key=lambda r: r["time"])
    texts = [finding_text(r["tool"], r["rule"], r["message"], r["snippet"]) for r in waiting]
    vectors = to_stored(embedder.embed(texts))
    set_fix_attempt_vectors(store, waiting[:2], embedder.id, vectors[:2])
    set_fix_attempt_vectors(store, waiting[2:3], "another:v1", vectors[2:3])
    [newest] = [
        a for a in list_attempts(store) if a.attempt.time == max(r["time"] for r in waiting)
    ]
    confirm(store, newest.attempt.id, "failure", now=NOW + 60)
    return embedder


@pytest.mark.parametrize("batch_size", [1, 8192])
def test_the_columns_of_a_real_store(store: Store, batch_size: int) -> None:
    embedder = _filled(store)
    columns, vectors, texts = read_columns(
        ranking_batches(store, batch_size), embedder.id, embedder.dimension
    )
    assert len(columns) == 4  # the confirmation is no attempt of its own
    by_time = np.argsort(columns.time)
    assert columns.recency[by_time].tolist() == [3, 2, 1, 0]
    names = [columns.strategies.names[columns.strategy[row]] for row in by_time]
    assert names == ["remove unused import", "add to __all__", "wrap", "add to __all__"]
    assert len(columns.strategies) == 3  # each string once
    assert columns.outcome[by_time].tolist() == [SUCCESS, SUCCESS, SUCCESS, FAILURE]
    assert columns.showable[by_time].tolist() == [True, False, False, False]
    assert columns.present[by_time].tolist() == [True, True, False, False]  # not another's
    assert sorted(texts) == sorted(by_time[2:].tolist())
    assert texts[int(by_time[2])] == "ruff E501: line too long\nimport os"
    [stored] = embedder.embed([finding_text("ruff", "F401", FINDING["message"], "import os")])
    assert vectors.dtype == np.float16 and vectors.shape == (4, embedder.dimension)
    assert np.allclose(vectors[by_time[0]], stored, atol=1e-3)  # as stored, float16
    assert not vectors[by_time[2]].any() and not vectors[by_time[3]].any()
    assert (columns.row_ids >= 0).all()
    assert columns.rule_code("ruff", "E501") == columns.rule[by_time[2]]
    assert columns.rule_code("ruff", "E999") == -1
    assert columns.language_code("javascript") == columns.language[by_time[2]]
    assert columns.language_code(None) == columns.language_code("") == 0
    assert columns.language_code("rust") == UNSEEN


def test_taking_rows_keeps_every_column_in_step(store: Store) -> None:
    embedder = _filled(store)
    columns, _, _ = read_columns(ranking_batches(store), embedder.id, embedder.dimension)
    order = np.argsort(columns.time)[::-1].copy()
    taken = columns.take(order)
    assert taken.ids.to_pylist() == [columns.ids[int(i)].as_py() for i in order]
    assert taken.recency.tolist() == [0, 1, 2, 3]
    assert taken.strategies is columns.strategies


def test_attempts_in_memory_give_the_same_codes(store: Store) -> None:
    _filled(store)
    listed = list_attempts(store)
    columns = from_attempts(listed)
    assert columns.ids.to_pylist() == [c.attempt.id for c in listed]
    outcomes = [columns.outcome[i] for i in range(len(listed))]
    assert outcomes == [FAILURE if c.outcome == "failure" else SUCCESS for c in listed]
    assert not columns.present.any() and (columns.row_ids == -1).all()


def test_a_confirmation_of_an_attempt_not_stored_is_ignored(store: Store) -> None:
    _filled(store)
    [kept] = [a for a in list_attempts(store) if a.outcome == "failure"]
    orphan = {**kept.attempt.to_json(), "id": "f" * 32, "confirms": "0" * 32}
    orphan["outcome"] = "success"
    assert import_lines(store, json.dumps(orphan).encode() + b"\n").bad == ()
    columns, _, _ = read_columns(ranking_batches(store), None, 0)
    assert len(columns) == 4
    assert sorted(columns.outcome.tolist()) == [SUCCESS, SUCCESS, SUCCESS, FAILURE]
