"""Fix attempts in memory: their vectors, their rules, and the nearest ones to a finding.

``AttemptIndex`` holds every attempt with its current outcome as columns
(strategy, kind, outcome, rule, language, time, commit, diff) and the
vectors of their texts as one float32 matrix, so a finding's votes
(``hookwise.fixes.recommend``) take one product and a few lookups. The warm
worker keeps one per repository and builds it again when the
``fix_attempts`` table's version changes (``hookwise.fixes.suggest``).

Nearest neighbours are exact (brute force) up to ``PARTITION_MIN_ROWS``
attempts. Above, brute force over 100k x 384 float32 costs 40-55 ms for 20
findings on one core of the 2-core development machine, the whole budget
(DESIGN §6: 50 ms), so the rows are split into about sqrt(n) lists by
spherical k-means and a finding is compared only with the rows of its
``PROBE`` nearest lists (an inverted file, as FAISS's IVF-Flat);
``bench/suggest.py`` measures its recall against brute force.

``replay`` gives the (raw score, was right) pairs the confidence is
calibrated on (``hookwise.fixes.calibration``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hookwise.fixes.calibration import IDENTITY, Calibration, fit
from hookwise.fixes.memory import CurrentAttempt
from hookwise.fixes.recommend import RecommendConfig, Vote, rank

FloatMatrix = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]

#: From this many attempts with vectors on, neighbours come from the inverted
#: file; below, brute force takes under 10 ms for 20 findings.
PARTITION_MIN_ROWS = 20_000
#: Lists probed per finding; with sqrt(n) lists, 16 of 316 read 5% of 100k rows.
PROBE = 16
#: k-means rounds; the lists only need to be good enough to probe, and
#: assigning every row (the last round) dominates the build.
KMEANS_ROUNDS = 6
#: Successful attempts replayed to calibrate confidence (the most recent).
REPLAY_QUERIES = 300


@dataclass(frozen=True)
class Partition:
    """An inverted file: rows grouped by their nearest centroid."""

    centroids: FloatMatrix  # (lists, dimension), unit rows
    order: Rows  # row numbers, list by list
    starts: Rows  # list i holds order[starts[i]:starts[i + 1]]
    sorted_matrix: FloatMatrix  # matrix[order], so a list is one contiguous block

    @classmethod
    def build(cls, matrix: FloatMatrix, rows: Rows, seed: int = 0) -> Partition:
        rng = np.random.default_rng(seed)
        lists = max(1, int(np.sqrt(len(rows))))
        sample = rows[rng.choice(len(rows), min(len(rows), lists * 40), replace=False)]
        centroids = matrix[sample[rng.choice(len(sample), lists, replace=False)]].copy()
        for _ in range(KMEANS_ROUNDS):
            nearest = _assign(matrix[sample], centroids)
            for i in range(lists):
                members = matrix[sample[nearest == i]]
                if len(members):
                    total = members.sum(axis=0)
                    norm = float(np.linalg.norm(total))
                    centroids[i] = total / norm if norm > 0 else centroids[i]
        owner = _assign(matrix[rows], centroids)
        order = rows[np.argsort(owner, kind="stable")]
        counts = np.bincount(owner, minlength=lists)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(centroids, order, starts, np.ascontiguousarray(matrix[order]))

    def nearest(self, query: FloatMatrix, k: int, probe: int) -> tuple[Rows, FloatMatrix]:
        lists = np.argsort(-(self.centroids @ query))[:probe]
        blocks = [(self.starts[i], self.starts[i + 1]) for i in lists]
        sims = np.concatenate([self.sorted_matrix[a:b] @ query for a, b in blocks])
        rows = np.concatenate([self.order[a:b] for a, b in blocks])
        return _top(rows, sims, k)


def _assign(block: FloatMatrix, centroids: FloatMatrix) -> Rows:
    out = np.empty(len(block), np.int64)
    for start in range(0, len(block), 8192):
        out[start : start + 8192] = np.argmax(block[start : start + 8192] @ centroids.T, axis=1)
    return out


def _top(rows: Rows, sims: FloatMatrix, k: int) -> tuple[Rows, FloatMatrix]:
    if len(rows) > k:
        best = np.argpartition(-sims, k)[:k]
        rows, sims = rows[best], sims[best]
    return rows, sims


@dataclass
class AttemptIndex:
    """Every attempt with its current outcome, and the vectors of those that have one."""

    attempts: list[CurrentAttempt]
    matrix: FloatMatrix  # (attempts, dimension); zero rows where there is no vector
    present: npt.NDArray[np.bool_]
    embedder_id: str | None
    version: int | None = None  # the fix_attempts table's version it was read at
    calibration: Calibration = IDENTITY
    times: npt.NDArray[np.int64] = field(init=False)
    by_rule: dict[tuple[str, str], Rows] = field(init=False)  # newest first
    partition: Partition | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.times = np.array([a.attempt.time for a in self.attempts], np.int64)
        grouped: dict[tuple[str, str], list[int]] = {}
        for row in np.argsort(-self.times, kind="stable").tolist():
            attempt = self.attempts[row].attempt
            grouped.setdefault((attempt.tool, attempt.rule), []).append(row)
        self.by_rule = {key: np.array(rows, np.int64) for key, rows in grouped.items()}
        with_vector = np.flatnonzero(self.present)
        if len(with_vector) >= PARTITION_MIN_ROWS:
            self.partition = Partition.build(self.matrix, with_vector)

    def __len__(self) -> int:
        return len(self.attempts)

    def neighbours(
        self, query: FloatMatrix, k: int, *, before: int | None = None
    ) -> tuple[Rows, FloatMatrix]:
        """The ``k`` attempts whose vectors are nearest ``query`` (made before ``before``).

        ``before`` (a replay) is answered exactly, by brute force.
        """
        if k <= 0 or not self.present.any():
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if self.partition is not None and before is None:
            return self.partition.nearest(query, k, PROBE)
        usable = self.present if before is None else self.present & (self.times < before)
        rows = np.flatnonzero(usable)
        # One product over the whole matrix, then the usable rows: gathering
        # them first would copy the matrix for every replayed finding.
        return _top(rows, (self.matrix @ query)[rows], k)

    def votes(
        self,
        query: FloatMatrix | None,
        tool: str,
        rule: str,
        language: str | None,
        config: RecommendConfig,
        *,
        before: int | None = None,
    ) -> list[Vote]:
        """The attempts that speak to a finding: its neighbours and its rule's recent ones."""
        similar: dict[int, float] = {}
        if query is not None and config.neighbours > 0:
            rows, sims = self.neighbours(query, config.neighbours, before=before)
            similar = dict(zip(rows.tolist(), sims.tolist(), strict=True))
        same_rule: list[int] = []
        if config.prior_weight > 0:
            recent = self.by_rule.get((tool, rule), np.zeros(0, np.int64))
            if before is not None:
                recent = recent[self.times[recent] < before]
            same_rule = recent[: config.prior_recent].tolist()
        votes = []
        for row in sorted(set(similar) | set(same_rule)):
            current = self.attempts[row]
            attempt = current.attempt
            votes.append(
                Vote(
                    strategy=attempt.strategy,
                    kind=attempt.kind,
                    outcome=current.outcome,
                    similarity=similar.get(row),
                    same_rule=(attempt.tool, attempt.rule) == (tool, rule),
                    other_language=bool(
                        language and attempt.language and language != attempt.language
                    ),
                    time=attempt.time,
                    commit=attempt.commit,
                    diff=attempt.diff,
                )
            )
        return votes

    def calibrate(self, config: RecommendConfig, *, queries: int = REPLAY_QUERIES) -> None:
        """Fit the confidence on a chronological replay of this index's attempts."""
        self.calibration = fit(replay(self, config, queries=queries))


def replay(
    index: AttemptIndex, config: RecommendConfig, *, queries: int = REPLAY_QUERIES, top: int = 3
) -> list[tuple[float, bool]]:
    """(raw score, was right) for the top suggestions of each replayed success.

    The ``queries`` most recent successful attempts are each suggested for
    from the attempts made strictly before them, as if the finding had just
    been met; a suggestion is right when its strategy is the one recorded.
    Outcomes are today's (a later confirmation is known to the replay), which
    matters only for attempts confirmed long after they were made.
    """
    successes = [i for i, c in enumerate(index.attempts) if c.outcome == "success"]
    successes.sort(key=lambda i: index.attempts[i].attempt.time)
    pairs = []
    for row in successes[-queries:]:
        attempt = index.attempts[row].attempt
        query = index.matrix[row] if index.present[row] else None
        votes = index.votes(
            query, attempt.tool, attempt.rule, attempt.language, config, before=attempt.time
        )
        for ranked in rank(votes, config)[:top]:
            pairs.append((ranked.raw, ranked.strategy == attempt.strategy))
    return pairs


def build_index(
    attempts: Sequence[CurrentAttempt],
    vectors: FloatMatrix,
    present: npt.NDArray[np.bool_],
    embedder_id: str | None,
    config: RecommendConfig,
    *,
    version: int | None = None,
) -> AttemptIndex:
    """An index over ``attempts``, calibrated (row i's vector: ``vectors[i]`` if ``present[i]``)."""
    index = AttemptIndex(list(attempts), vectors, present, embedder_id, version)
    index.calibrate(config)
    return index
