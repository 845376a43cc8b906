"""An inverted file over attempts' vectors: rows grouped by their nearest centroid.

Brute force over 100k x 384 float32 costs 40-75 ms for 20 findings on one
core of the 2-core development machine, the whole budget (DESIGN §6:
50 ms), so above ``hookwise.fixes.index.PARTITION_MIN_ROWS`` attempts the
rows are split into about sqrt(n) lists by spherical k-means and a finding
is compared only with the rows of its nearest lists (FAISS's IVF-Flat).

The index keeps its rows in list order (``Partition.plan`` says which),
so a list is one contiguous block of the one matrix there is: no second,
sorted copy of the vectors. ``bench/suggest.py`` measures the recall
against brute force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]

#: k-means rounds; the lists only need to be good enough to probe, and
#: assigning every row (the last round) dominates the build.
KMEANS_ROUNDS = 6
#: Sampled rows per list that k-means learns the centroids from.
SAMPLE_PER_LIST = 40
#: Lists probed per finding, at least: 16 of 316 read 5% of 100k rows.
PROBE = 16
#: Rows probed per finding, at least: where lists are short (20k attempts:
#: 141 lists of 140 rows) 16 lists found 0.905 of the true 20 nearest in
#: bench/suggest.py, and 4,000 rows (29 lists) find 0.94-0.98 in 4-7 ms.
PROBE_ROWS = 4_000
#: Rows turned into float32 at a time while assigning (a few MB).
CHUNK = 8192


def unit(block: npt.NDArray[Any]) -> FloatMatrix:
    """``block`` as float32 rows of length 1 (zero rows stay zero)."""
    rows = np.asarray(block, np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit_rows: FloatMatrix = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return unit_rows


@dataclass(frozen=True)
class Partition:
    """Lists of consecutive rows: list i holds rows ``starts[i]:starts[i + 1]``."""

    centroids: FloatMatrix  # (lists, dimension), unit rows
    starts: Rows  # (lists + 1,)

    @staticmethod
    def plan(vectors: npt.NDArray[Any], rows: Rows, seed: int = 0) -> tuple[FloatMatrix, Rows]:
        """Centroids for ``vectors[rows]`` (any float dtype) and the list of each of ``rows``."""
        rng = np.random.default_rng(seed)
        lists = max(1, int(np.sqrt(len(rows))))
        picked = rng.choice(len(rows), min(len(rows), lists * SAMPLE_PER_LIST), replace=False)
        sample = unit(vectors[rows[picked]])
        centroids = sample[rng.choice(len(sample), lists, replace=False)].copy()
        for _ in range(KMEANS_ROUNDS):
            nearest = np.argmax(sample @ centroids.T, axis=1)
            by_list = np.argsort(nearest, kind="stable")
            lists_met, starts = np.unique(nearest[by_list], return_index=True)
            totals = np.add.reduceat(sample[by_list], starts, axis=0)
            norms = np.linalg.norm(totals, axis=1)
            moved = norms > 0
            centroids[lists_met[moved]] = totals[moved] / norms[moved, None]
        # Every row of the buffer, a contiguous chunk at a time and not normalised
        # (a row's length does not change its nearest centroid): gathering and
        # normalising ``rows`` first took 0.75 s of a 2 s build at 100k rows.
        owner = np.empty(len(vectors), np.int64)
        for start in range(0, len(vectors), CHUNK):
            block = vectors[start : start + CHUNK].astype(np.float32)
            owner[start : start + CHUNK] = np.argmax(block @ centroids.T, axis=1)
        return centroids, owner[rows]

    @classmethod
    def of(cls, centroids: FloatMatrix, owner: Rows) -> Partition:
        """The partition of rows sorted by ``owner`` (their lists)."""
        counts = np.bincount(owner, minlength=len(centroids))
        return cls(centroids, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))

    def probe(self) -> int:
        """Lists a finding is compared with: ``PROBE``, more where lists are short."""
        mean = max(1.0, float(self.starts[-1]) / len(self.centroids))
        return min(len(self.centroids), max(PROBE, int(np.ceil(PROBE_ROWS / mean))))

    def nearest(self, matrix: FloatMatrix, queries: FloatMatrix) -> list[tuple[Rows, FloatMatrix]]:
        """Per query, the rows of its nearest lists and their cosines with it.

        Each list probed is multiplied once with every query that probes it:
        one product per list instead of one per (query, list) pair reads each
        block of rows once (20 findings at 20k attempts: 12 ms down to 4).
        """
        probe = self.probe()
        scores = queries @ self.centroids.T
        if probe >= len(self.centroids):
            chosen = np.broadcast_to(np.arange(len(self.centroids)), scores.shape)
        else:
            chosen = np.argpartition(-scores, probe - 1, axis=1)[:, :probe]
        flat = chosen.reshape(-1)
        asking = np.repeat(np.arange(len(queries)), chosen.shape[1])
        by_list = np.argsort(flat, kind="stable")
        lists, firsts = np.unique(flat[by_list], return_index=True)
        bounds = np.append(firsts, len(flat)).tolist()
        rows: list[list[Rows]] = [[] for _ in range(len(queries))]
        sims: list[list[FloatMatrix]] = [[] for _ in range(len(queries))]
        for i, lst in enumerate(lists.tolist()):
            a, b = int(self.starts[lst]), int(self.starts[lst + 1])
            if a == b:
                continue
            who = asking[by_list[bounds[i] : bounds[i + 1]]]
            block = matrix[a:b] @ queries[who].T
            span = np.arange(a, b)
            for column, query in enumerate(who.tolist()):
                rows[query].append(span)
                sims[query].append(block[:, column])
        return [
            (np.concatenate(r), np.concatenate(s))
            if r
            else (np.zeros(0, np.int64), np.zeros(0, np.float32))
            for r, s in zip(rows, sims, strict=True)
        ]
