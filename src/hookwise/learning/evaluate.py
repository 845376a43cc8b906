"""``hookwise eval``: arms of the recommender scored side by side on a replayed history.

A replay (``hookwise.learning.replay``) asks every successful attempt of
iterations 1..N-1 as a question, as of its iteration's time, and each arm
ranks strategies for it. Per arm, overall and per iteration:

- ``top1``: the share of questions whose first suggestion is the truth;
- ``top3``: the share with the truth among the first three;
- ``mrr``: the mean reciprocal rank of the truth among the first
  ``RANKED`` (0 when it is not among them);
- ``calibration_error``: the count-weighted mean gap between the first
  suggestion's confidence and how often it was right, over the bins of
  ``hookwise.fixes.calibration.reliability`` (the table is given too).

Each arm's difference to the first arm (the first ``--arm``, else
``default``) comes with a paired bootstrap interval
(``hookwise.learning.bootstrap``). The baselines have no confidence, so no
reliability table.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hookwise.capture.locations import RepoPaths
from hookwise.embed import Embedder, default_embedder_name, get_embedder
from hookwise.errors import StoreError
from hookwise.fixes.attempt import SOURCES, FixAttempt
from hookwise.fixes.calibration import ReliabilityBin, calibration_error, reliability
from hookwise.fixes.memory import CurrentAttempt, current
from hookwise.fixes.record import BadLine, parse_record, parse_records
from hookwise.learning.arms import Arm
from hookwise.learning.bootstrap import RESAMPLES, Interval, paired_interval
from hookwise.learning.replay import (
    RANKED,
    Answer,
    Replay,
    answer,
    answer_baselines,
    build,
    texts_of,
)
from hookwise.learning.vectors import Vectors, embed_texts
from hookwise.search.state import store_embedder
from hookwise.store import fixes as table
from hookwise.store.db import Store

DEFAULT_ITERATIONS = 15
DEFAULT_SEED = 0
METRICS = ("top1", "top3", "mrr")

#: An arm's embedder by its registry name (None: the store's own); None when there is none.
EmbedderFor = Callable[[str | None], Embedder | None]


@dataclass(frozen=True)
class Scores:
    questions: int
    top1: float | None  # None without questions
    top3: float | None
    mrr: float | None
    calibration_error: float | None  # None for a baseline, or without suggestions

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "top1": self.top1,
            "top3": self.top3,
            "mrr": self.mrr,
            "calibration_error": self.calibration_error,
        }


def per_question(answers: Sequence[Answer]) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    """Each metric's score of every question: what means and differences are taken of."""
    rank = np.array([a.rank for a in answers], np.float64)
    return {
        "top1": (rank == 1).astype(np.float64),
        "top3": ((rank >= 1) & (rank <= 3)).astype(np.float64),
        "mrr": np.divide(1.0, rank, out=np.zeros_like(rank), where=rank > 0),
    }


def score(answers: Sequence[Answer], baseline: bool) -> tuple[Scores, list[ReliabilityBin]]:
    if not answers:
        return Scores(0, None, None, None, None), []
    means = {name: float(values.mean()) for name, values in per_question(answers).items()}
    pairs = [(a.confidence, a.right) for a in answers if a.confidence is not None]
    table = [] if baseline else reliability(pairs)
    error = calibration_error(table) if table else None
    return Scores(len(answers), means["top1"], means["top3"], means["mrr"], error), table


@dataclass(frozen=True)
class ArmResult:
    arm: Arm
    overall: Scores
    iterations: tuple[Scores, ...]  # one per scored iteration, in order
    difference: Mapping[str, Interval] | None  # to the reference arm; None for the reference
    reliability: tuple[ReliabilityBin, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.arm.to_json(),
            "overall": self.overall.to_json(),
            "iterations": [s.to_json() for s in self.iterations],
            "difference": None
            if self.difference is None
            else {name: i.to_json() for name, i in self.difference.items()},
            "reliability": [b.to_json() for b in self.reliability],
        }


@dataclass(frozen=True)
class Iteration:
    number: int  # from 1 (iteration 0 only teaches)
    history: int  # attempts made before it
    questions: int
    now: int  # the clock its questions are asked at, epoch seconds


@dataclass(frozen=True)
class Evaluation:
    attempts: int
    chunks: int  # the iterations the history was cut into (the first only teaches)
    iterations: tuple[Iteration, ...]  # those with questions
    arms: tuple[ArmResult, ...]
    seed: int
    resamples: int
    seconds: float

    @property
    def reference(self) -> str:
        return self.arms[0].arm.name

    def to_json(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "chunks": self.chunks,
            "questions": sum(i.questions for i in self.iterations),
            "reference": self.reference,
            "seed": self.seed,
            "resamples": self.resamples,
            "ranked": RANKED,
            "seconds": round(self.seconds, 3),
            "iterations": [
                {
                    "iteration": i.number,
                    "history": i.history,
                    "questions": i.questions,
                    "now": i.now,
                }
                for i in self.iterations
            ],
            "arms": [a.to_json() for a in self.arms],
        }


def evaluate(
    attempts: Sequence[CurrentAttempt],
    arms: Sequence[Arm],
    embedder_for: EmbedderFor,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = DEFAULT_SEED,
    resamples: int = RESAMPLES,
    known: Mapping[str, Mapping[str, Vectors]] | None = None,
    cache: Path | None = None,
) -> Evaluation:
    """Every arm's answers to the replay of ``attempts``, scored, with intervals.

    ``known``: vectors already made, by embedder id and then by text (the
    store's); ``cache``: the folder whose vectors are kept between runs
    (``hookwise.learning.vectors``). Only texts in neither are embedded.
    """
    started = clock.perf_counter()
    replayed = Replay.of(attempts, iterations)
    answers = _answers(replayed, arms, embedder_for, known or {}, cache)
    iteration_of = np.array([q.iteration for q in replayed.questions], np.int64)
    scored = sorted(set(iteration_of.tolist()))
    reference = per_question(answers[arms[0].name])
    results = []
    for arm in arms:
        mine = answers[arm.name]
        overall, table = score(mine, arm.baseline)
        by_iteration = tuple(
            score([a for a, k in zip(mine, iteration_of, strict=True) if k == it], arm.baseline)[0]
            for it in scored
        )
        difference = None
        if arm is not arms[0]:
            values = per_question(mine)
            found = {m: paired_interval(values[m] - reference[m], seed, resamples) for m in METRICS}
            difference = {m: i for m, i in found.items() if i is not None} or None
        results.append(ArmResult(arm, overall, by_iteration, difference, tuple(table)))
    timeline = tuple(
        Iteration(
            k,
            replayed.parts[k][0],
            int((iteration_of == k).sum()),
            replayed.attempts[replayed.parts[k][0]].attempt.time,
        )
        for k in scored
    )
    took = clock.perf_counter() - started
    return Evaluation(
        len(replayed.attempts), len(replayed.parts), timeline, tuple(results), seed, resamples, took
    )


def _answers(
    replayed: Replay,
    arms: Sequence[Arm],
    embedder_for: EmbedderFor,
    known: Mapping[str, Mapping[str, Vectors]],
    cache: Path | None,
) -> dict[str, list[Answer]]:
    """Each arm's answers; an index (and the embedding) per embedder, shared by its arms."""
    answers: dict[str, list[Answer]] = {}
    if any(arm.baseline for arm in arms):
        answers.update(answer_baselines(replayed))
    texts = texts_of(replayed.attempts)
    built: dict[str | None, tuple[Any, Vectors | None]] = {}
    for arm in arms:
        if arm.config is None:
            continue
        embedder = embedder_for(arm.embedder)
        key = None if embedder is None else embedder.id
        if key not in built:
            vectors = None
            if embedder is not None:
                vectors = embed_texts(embedder, texts, known.get(embedder.id), cache=cache)
            built[key] = (build(replayed, vectors, key), vectors)
        index, vectors = built[key]
        answers[arm.name] = answer(replayed, index, vectors, arm.config)
    return answers


# -- what is replayed ---------------------------------------------------------------------


def parse_attempt(shape: object, now: int) -> FixAttempt:
    """A line of ``hookwise fix export`` (it has an ``id``) or of ``hookwise fix record``."""
    if isinstance(shape, dict) and "id" in shape:
        return FixAttempt.from_json(shape)
    return parse_record(shape, now=now, sources=SOURCES)


def attempts_of_lines(
    data: bytes, *, now: int | None = None
) -> tuple[list[CurrentAttempt], list[BadLine]]:
    """The attempts of JSON lines (confirmations folded in), and the lines that are none."""
    stamp = int(clock.time() if now is None else now)
    rows, bad = parse_records(data, lambda shape: parse_attempt(shape, stamp))
    return current(rows), bad


def attempts_of_store(store: Store) -> list[CurrentAttempt]:
    """Every attempt the store holds, with its current outcome."""
    return current(FixAttempt.from_row(row) for row in table.fix_attempts(store))


def stored_vectors(
    store: Store, attempts: Sequence[CurrentAttempt], embedder_id: str
) -> dict[str, Vectors]:
    """The store's vectors of ``embedder_id``, by the text of their attempt."""
    texts = dict(zip((a.attempt.id for a in attempts), texts_of(attempts), strict=True))
    found = table.fix_attempt_vectors(store, embedder_id)
    vectors: dict[str, Vectors] = {}
    for key, vector in zip(
        found.column("id").to_pylist(), found.column("vector").to_pylist(), strict=True
    ):
        if key in texts and vector is not None:
            vectors[texts[key]] = np.asarray(vector, np.float32)
    return vectors


def embedders_of(paths: RepoPaths | None) -> EmbedderFor:
    """Arms' embedders: by registry name, with the store's fitted state when there is a
    store; the store's own embedder for an arm that names none (without a store, or
    before it has one, the default embedder). Each is built once."""
    state_dir = paths.store_dir if paths is not None and paths.store_dir.is_dir() else None
    built: dict[str | None, Embedder] = {}

    def embedder_for(name: str | None) -> Embedder:
        if name not in built:
            if name is None and state_dir is not None and paths is not None:
                try:
                    built[name] = store_embedder(paths)[0]
                    return built[name]
                except StoreError:
                    pass  # nothing embedded yet: the default embedder, as the store will have
            built[name] = get_embedder(name or default_embedder_name(), state_dir=state_dir)
        return built[name]

    return embedder_for
