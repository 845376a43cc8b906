"""The inverted file: k-means lists over float16 rows, probed a list at a time."""

from __future__ import annotations

import numpy as np

from hookwise.fixes import partition as partition_module
from hookwise.fixes.partition import Partition, unit


def unit_rows(n: int, dimension: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def clustered(n: int, seed: int) -> np.ndarray:
    """Vectors around 200 centres, as texts of a few hundred rules are."""
    centres = unit_rows(200, 64, seed=seed)
    owner = np.random.default_rng(seed + 1).integers(0, 200, n)
    return unit(centres[owner] + 0.3 * unit_rows(n, 64, seed=seed + 2))


def arranged(vectors: np.ndarray) -> tuple[Partition, np.ndarray, np.ndarray]:
    """The partition, the rows in list order as the index keeps them, and that order."""
    rows = np.arange(len(vectors))
    centroids, owner = Partition.plan(vectors.astype(np.float16), rows)
    order = np.argsort(owner, kind="stable")
    return Partition.of(centroids, owner[order]), vectors[order], order


def test_the_lists_find_most_true_neighbours() -> None:
    vectors = clustered(20_000, seed=1)
    partition, matrix, _ = arranged(vectors)
    assert partition.starts[0] == 0 and partition.starts[-1] == len(matrix)
    assert len(partition.centroids) == int(np.sqrt(len(matrix)))
    queries = matrix[np.random.default_rng(3).integers(0, len(matrix), 50)]
    recall = []
    for query, (rows, sims) in zip(queries, partition.nearest(matrix, queries), strict=True):
        assert np.allclose(sims, matrix[rows] @ query, atol=1e-5)
        found = set(rows[np.argsort(-sims)[:20]].tolist())
        exact = set(np.argsort(-(matrix @ query))[:20].tolist())
        recall.append(len(exact & found) / 20)
    assert np.mean(recall) >= 0.9


def test_short_lists_are_probed_in_greater_number() -> None:
    partition, matrix, _ = arranged(clustered(2_500, seed=4))  # 50 lists of 50 rows
    probed = partition.probe()
    assert probed == min(50, int(np.ceil(partition_module.PROBE_ROWS / 50)))
    [(rows, _)] = partition.nearest(matrix, matrix[:1])
    assert len(rows) >= min(len(matrix), partition_module.PROBE_ROWS) * 0.5
    assert len(set(rows.tolist())) == len(rows)  # no row twice


def test_a_query_probing_every_list_sees_every_row() -> None:
    partition, matrix, _ = arranged(clustered(400, seed=5))  # 20 lists, probe 16 or more
    assert partition.probe() == len(partition.centroids)
    [(rows, sims)] = partition.nearest(matrix, matrix[7:8])
    assert sorted(rows.tolist()) == list(range(len(matrix)))
    assert abs(float(sims.max()) - 1.0) < 1e-5
