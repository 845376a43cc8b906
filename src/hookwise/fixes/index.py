"""Fix attempts in memory, as little of them as ranking needs, and the votes for findings.

``AttemptIndex`` keeps, per attempt (confirmations folded into the
outcome), only what ``hookwise.fixes.recommend.choose`` reads: small
integer codes for tool+rule, strategy, kind, language and outcome, the
time, whether it has a fix to show, its id and store row id, and its
vector, once, in one float32 matrix of unit rows. Strings live once each in
the code tables. Commits and diffs stay in the store: the few shown as
examples are taken by row address when answering (``examples_of``) and
remembered. At 100k attempts of 384 dimensions that is 146 MB of vectors
and 7.5 MB of the rest, where a record per attempt with its vectors twice
made the worker 878 MB (``bench/suggest.py``, docs/suggest.md).

It is read a batch at a time (``AttemptIndex.read``): the vectors into one
float16 buffer as stored, then into the float32 matrix in the order of the
inverted file (``hookwise.fixes.partition``) when there are
``PARTITION_MIN_ROWS`` attempts with vectors or more, so a list is one
block of rows. Rows without a vector come last.

``votes`` gives the ballot of many findings at once: each finding's nearest
attempts (one product for all of them, or their lists of the inverted
file) and its rule's most recent ones. ``replay`` gives the (raw score,
was right) pairs the confidence is calibrated on
(``hookwise.fixes.calibration``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hookwise.fixes.attempt_columns import Columns, from_attempts, read_columns
from hookwise.fixes.calibration import IDENTITY, Calibration, fit
from hookwise.fixes.common import Common, common_choices, fill
from hookwise.fixes.context import Context, SourceFile, pair_similarities
from hookwise.fixes.index_replay import CALIBRATION_TOP as CALIBRATION_TOP
from hookwise.fixes.index_replay import REPLAY_QUERIES
from hookwise.fixes.index_replay import replay as replay
from hookwise.fixes.memory import CurrentAttempt
from hookwise.fixes.partition import FloatMatrix, Partition, Rows, unit
from hookwise.fixes.recommend import (
    PENDING,
    Ballot,
    Choice,
    Example,
    RecommendConfig,
    choose,
    weights,
)
from hookwise.fixes.rule_memory import memory_shares, prior_factors, remembers, rule_rows_wanted
from hookwise.store import fixes as table
from hookwise.store.db import Store

#: From this many attempts with vectors on, neighbours come from the inverted
#: file; below, brute force takes at most 10-15 ms for 20 findings.
PARTITION_MIN_ROWS = 20_000
#: Queries compared with the whole matrix at once: 64 x 20k float32 is 5 MB.
BRUTE_BLOCK = 64
#: Examples (commit and diff) the index remembers: a check run's findings are
#: asked about again and again while they stay open.
EXAMPLE_CACHE = 4_096
#: The language code of "not known".
NO_LANGUAGE = 0


@dataclass
class AttemptIndex:
    """Every attempt with its current outcome, by codes, and the vectors of the first rows."""

    columns: Columns
    matrix: FloatMatrix  # (rows_with_vector, dimension), unit rows
    embedder_id: str | None
    partition: Partition | None = None
    version: int | None = None  # the fix_attempts table's version it was read at
    calibration: Calibration = IDENTITY
    examples: OrderedDict[int, Example] = field(default_factory=OrderedDict)
    # Files parsed for findings' complexity, by (path, mtime_ns, size): see suggest.
    sources: OrderedDict[tuple[str, int, int], SourceFile] = field(default_factory=OrderedDict)
    common: Common = field(default_factory=Common)  # the fills counted so far
    stored_contexts: list[Context] = field(init=False)  # by context code
    rule_rows: Rows = field(init=False)  # rows by rule, each rule's newest first
    rule_starts: Rows = field(init=False)
    strategy_rank: Rows = field(init=False)
    batch: Rows = field(init=False)  # attempts made at the same moment at the same rule

    def __post_init__(self) -> None:
        c = self.columns
        self.strategy_rank = c.strategy_rank
        # One commit's fixes share its time: (time, rule) is the commit's batch at a rule.
        moment = c.time.astype(np.int64) * max(1, len(c.rules)) + c.rule
        _, which, sizes = np.unique(moment, return_inverse=True, return_counts=True)
        self.batch = sizes[which].astype(np.int64)
        self.rule_rows = np.lexsort((c.recency, c.rule)).astype(np.int64)
        counts = np.bincount(c.rule, minlength=len(c.rules))
        self.rule_starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.stored_contexts = [Context.of(text) for text in c.contexts.names]

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def rows_with_vector(self) -> int:
        return len(self.matrix)

    @classmethod
    def read(
        cls,
        batches: Iterable[pa.RecordBatch],
        embedder: Any,
        *,
        embed_limit: int,
        version: int | None = None,
        rows_hint: int = 0,
    ) -> AttemptIndex:
        """The index of the stored attempts ``batches`` (``store.fixes.ranking_batches``).

        Attempts without a stored vector of ``embedder`` (an ``Embedder`` or
        None) get one computed here, the newest ``embed_limit`` of them; the
        others count through the exact-rule prior only until the worker
        stores theirs. ``rows_hint``: about how many rows the batches hold.
        """
        embedder_id = embedder.id if embedder is not None else None
        dimension = embedder.dimension if embedder is not None else 0
        columns, vectors, texts = read_columns(batches, embedder_id, dimension, rows_hint=rows_hint)
        if embedder is not None and texts:
            wanted = sorted(texts, key=lambda row: int(columns.recency[row]))[:embed_limit]
            vectors[wanted] = embedder.embed([texts[row] for row in wanted])
            columns.present[wanted] = True
        return cls.arrange(columns, vectors, embedder_id, version=version)

    @classmethod
    def arrange(
        cls,
        columns: Columns,
        vectors: npt.NDArray[Any],
        embedder_id: str | None,
        *,
        version: int | None = None,
    ) -> AttemptIndex:
        """Rows with a vector first (in list order when partitioned), then the rest."""
        with_vector = np.flatnonzero(columns.present)
        with_vector = with_vector[np.argsort(columns.recency[with_vector], kind="stable")]
        partition = None
        if len(with_vector) >= PARTITION_MIN_ROWS:
            centroids, owner = Partition.plan(vectors, with_vector)
            by_list = np.argsort(owner, kind="stable")
            with_vector = with_vector[by_list]
            partition = Partition.of(centroids, owner[by_list])
        without = np.flatnonzero(~columns.present)
        without = without[np.argsort(columns.recency[without], kind="stable")]
        order = np.concatenate([with_vector, without]).astype(np.int64)
        matrix = np.empty((len(with_vector), vectors.shape[1]), np.float32)
        for start in range(0, len(with_vector), 8192):
            matrix[start : start + 8192] = unit(vectors[with_vector[start : start + 8192]])
        return cls(columns.take(order), matrix, embedder_id, partition, version)

    # -- neighbours ----------------------------------------------------------------------

    def neighbours(
        self, queries: FloatMatrix, k: int, *, before: Rows | None = None
    ) -> list[tuple[Rows, FloatMatrix]]:
        """Per query, the ``k`` attempts whose vectors are nearest (made before ``before``)."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        if k <= 0 or not self.rows_with_vector or not len(queries):
            return [empty for _ in range(len(queries))]
        times = self.columns.time[: self.rows_with_vector]
        found = []
        if self.partition is not None:
            for i, (rows, sims) in enumerate(self.partition.nearest(self.matrix, queries)):
                if before is not None:
                    earlier = times[rows] < before[i]
                    rows, sims = rows[earlier], sims[earlier]
                found.append(_top(rows, sims, k))
            return found
        everything = np.arange(self.rows_with_vector)
        for start in range(0, len(queries), BRUTE_BLOCK):
            block = queries[start : start + BRUTE_BLOCK] @ self.matrix.T
            if before is None and self.rows_with_vector > k:  # one partition for the block
                best = np.argpartition(-block, k, axis=1)[:, :k]
                sims = np.take_along_axis(block, best, axis=1)
                found.extend(zip(best, sims, strict=True))
                continue
            for i, row in enumerate(block, start):
                if before is None:
                    found.append(_top(everything, row, k))
                else:
                    earlier = np.flatnonzero(times < before[i])
                    found.append(_top(earlier, row[earlier], k))
        return found

    def rule_recent(self, rule: int, limit: int, before: int | None = None) -> Rows:
        """The rule's ``limit`` newest attempts (made before ``before``), newest first."""
        if rule < 0 or limit <= 0:
            return np.zeros(0, np.int64)
        rows = self.rule_rows[self.rule_starts[rule] : self.rule_starts[rule + 1]]
        if before is not None:
            rows = rows[self.columns.time[rows] < before]
        return rows[:limit]

    # -- votes ---------------------------------------------------------------------------

    def votes(
        self,
        queries: FloatMatrix | None,
        rules: Sequence[int],
        languages: Sequence[int],
        config: RecommendConfig,
        *,
        before: Rows | None = None,
        contexts: Sequence[Context] | None = None,
    ) -> tuple[Ballot, Rows]:
        """The ballot of findings (their vectors, rule and language codes, and contexts)
        and the row of each entry: each finding's neighbours and its rule's recent
        attempts and memory (``hookwise.fixes.rule_memory``), newest first."""
        c = self.columns
        near: list[tuple[Rows, FloatMatrix]] = []
        if queries is not None and config.neighbours > 0:
            near = self.neighbours(queries, config.neighbours, before=before)
        recent: list[Rows] = []
        if config.prior_weight > 0:
            span = rule_rows_wanted(config)
            recent = [
                self.rule_recent(rule, span, None if before is None else before[i])
                for i, rule in enumerate(rules)
            ]
        if not near and not recent:
            return _empty_ballot(), np.zeros(0, np.int64)
        # Every finding's neighbours, then every finding's rule rows: the first
        # of a (finding, row) pair is kept, so a neighbour keeps its cosine.
        found = [rows for rows, _ in near] + recent
        rows = np.concatenate(found).astype(np.int64)
        finding = np.repeat(
            np.concatenate([np.arange(len(near)), np.arange(len(recent))]),
            [len(r) for r in found],
        ).astype(np.int64)
        similarity = np.concatenate(
            [sims.astype(np.float64) for _, sims in near] + [np.full(len(rows), np.nan)]
        )[: len(rows)]
        _, first, inverse = np.unique(
            finding * max(1, len(c)) + rows, return_index=True, return_inverse=True
        )
        prior = None
        if remembers(config):
            shares = [memory_shares(self.batch[r], config) for r in recent]
            sizes = [len(r) for r, _ in near]
            prior = prior_factors(sizes, recent, shares, inverse, len(first), config)
        rows, finding, similarity = rows[first], finding[first], similarity[first]
        newest_first = np.lexsort((c.recency[rows], finding))
        rows, finding = rows[newest_first], finding[newest_first]
        rule_of = np.asarray(rules, np.int64)[finding]
        language_of = np.asarray(languages, np.int64)[finding]
        language = c.language[rows]
        ballot = Ballot(
            finding=finding,
            strategy=c.strategy[rows],
            kind=c.kind[rows],
            outcome=c.outcome[rows],
            similarity=similarity[newest_first],
            same_rule=c.rule[rows] == rule_of,
            other_language=(language_of != NO_LANGUAGE)
            & (language != NO_LANGUAGE)
            & (language != language_of),
            time=c.time[rows],
            showable=c.showable[rows],
            share=(self.batch[rows] ** -config.batch_power).astype(np.float64)
            if config.batch_power
            else None,
            prior=None if prior is None else prior[newest_first],
            context=None
            if contexts is None or not config.context_weight
            else pair_similarities(finding, c.context[rows], contexts, self.stored_contexts),
        )
        return ballot, rows

    def choose(
        self,
        ballot: Ballot,
        tools: Sequence[str],
        config: RecommendConfig,
        *,
        limit: int | None = None,
        before: Rows | None = None,
    ) -> list[list[Choice]]:
        """``recommend.choose`` for findings of ``tools`` over this index's strategies,
        the places under ``common_fill`` (and ``limit``) left empty filled with the
        most common ones at each finding's tool (``hookwise.fixes.common``)."""
        findings = len(tools)
        chosen = choose(ballot, findings, self.strategy_rank, config, limit=limit)
        places = config.common_fill if limit is None else min(limit, config.common_fill)
        if places <= 0 or all(len(c) >= places for c in chosen):
            return chosen
        # A strategy the finding's own evidence voted down (or not up) is not brought back.
        span = max(1, len(self.columns.strategies))
        spoke = (ballot.outcome != PENDING) & (weights(ballot, config, findings) > 0.0)
        voted = np.unique(ballot.finding[spoke].astype(np.int64) * span + ballot.strategy[spoke])
        heard: list[set[int]] = [set() for _ in range(findings)]
        for f, s in zip((voted // span).tolist(), (voted % span).tolist(), strict=True):
            heard[f].add(s)
        common = common_choices(self.columns, tools, before, config, self.common)
        return fill(chosen, common, places, heard)

    def examples_of(self, store: Store, rows: Sequence[int]) -> dict[int, Example]:
        """The commit and diff of each of ``rows``, from the index's cache or the store."""
        cache = self.examples
        missing = sorted({row for row in rows if row not in cache})
        if missing:
            ids = [self.columns.ids[row].as_py() for row in missing]
            fetched = table.fix_attempt_examples(store, self.columns.row_ids[missing].tolist(), ids)
            for row, key in zip(missing, ids, strict=True):
                commit, diff = fetched.get(key, (None, None))
                cache[row] = Example(commit, diff)
        shown = {}
        for row in rows:
            cache.move_to_end(row)
            shown[row] = cache[row]
        while len(cache) > EXAMPLE_CACHE:
            cache.popitem(last=False)
        return shown

    def calibrate(self, config: RecommendConfig, *, queries: int = REPLAY_QUERIES) -> None:
        """Fit the confidence on a chronological replay of this index's attempts."""
        self.calibration = fit(replay(self, config, queries=queries, top=CALIBRATION_TOP))


def _top(rows: Rows, sims: FloatMatrix, k: int) -> tuple[Rows, FloatMatrix]:
    if len(rows) > k:
        best = np.argpartition(-sims, k)[:k]
        rows, sims = rows[best], sims[best]
    return rows, sims


def _empty_ballot() -> Ballot:
    nothing = np.zeros(0, np.int64)
    return Ballot(
        nothing,
        nothing,
        nothing,
        nothing,
        np.zeros(0),
        np.zeros(0, np.bool_),
        np.zeros(0, np.bool_),
        nothing,
        np.zeros(0, np.bool_),
    )


def build_index(
    attempts: Sequence[CurrentAttempt],
    vectors: npt.NDArray[Any],
    present: npt.NDArray[np.bool_],
    embedder_id: str | None,
    config: RecommendConfig,
    *,
    version: int | None = None,
) -> AttemptIndex:
    """An index over attempts in memory, calibrated (row i's vector: ``vectors[i]`` if
    ``present[i]``): what a replay over constructed attempts builds."""
    columns = from_attempts(attempts)
    columns.present = np.asarray(present, np.bool_).copy()
    index = AttemptIndex.arrange(columns, vectors, embedder_id, version=version)
    index.calibrate(config)
    return index
