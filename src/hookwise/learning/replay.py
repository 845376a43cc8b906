"""The questions of a chronological replay, and each arm's ranked answers to them.

The attempts, in time order (then id), are cut into iterations
(``hookwise.learning.baselines.chunks``). Each successful attempt of
iteration k (k >= 1) is a question: its finding, whose truth is the
strategy it applied, asked as of the time of iteration k's first attempt.
Failures and pending attempts are evidence only, never questions.

One index (``hookwise.fixes.index.AttemptIndex``) per embedder holds every
attempt, built once; an iteration's questions are answered from the
attempts made before its time (``before``), and its confidences are
calibrated on the successes made before it, as the store held them then.
So every iteration costs one batch of ``choose``, not a store per
iteration. The vectors the index keeps are rounded to float16, as the
store keeps them, so the cosines are the ones a store of these attempts
gives; the questions' own vectors stay float32, as a live query's (those
the store already held are float16 as stored, which moves a cosine by
about 1e-3).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.attempt_columns import from_attempts
from hookwise.fixes.calibration import fit
from hookwise.fixes.context import Context
from hookwise.fixes.index import CALIBRATION_TOP, AttemptIndex, replay
from hookwise.fixes.memory import CurrentAttempt
from hookwise.fixes.recommend import RecommendConfig, finding_text
from hookwise.learning.arms import GLOBAL_MAJORITY, RULE_MAJORITY
from hookwise.learning.baselines import Baselines, chunks
from hookwise.learning.vectors import Vectors

#: Suggestions per question an arm ranks, as ``hookwise suggest`` gives by default:
#: the reciprocal rank is 0 when the truth is not among them.
RANKED = 5


@dataclass(frozen=True)
class Question:
    position: int  # the attempt's place in time order
    iteration: int
    truth: str  # the strategy that fixed it
    now: int  # the clock the question is asked at: its iteration's first attempt's time


@dataclass(frozen=True)
class Answer:
    rank: int  # the truth's place among the ranked strategies, from 1; 0 when absent
    confidence: float | None  # the first suggestion's; None when nothing is suggested

    @property
    def right(self) -> bool:
        return self.rank == 1


@dataclass(frozen=True)
class Replay:
    """The attempts in time order, their iterations and the questions they ask."""

    attempts: tuple[CurrentAttempt, ...]
    parts: tuple[tuple[int, int], ...]  # each iteration's [start, stop) in ``attempts``
    questions: tuple[Question, ...]

    @classmethod
    def of(cls, attempts: Sequence[CurrentAttempt], iterations: int) -> Replay:
        ordered = sorted(attempts, key=lambda a: (a.attempt.time, a.attempt.id))
        parts: list[tuple[int, int]] = []
        # At most one iteration per attempt: with more, the first iteration could be
        # empty, and its successes asked about with nothing before them.
        count = max(1, min(iterations, len(ordered)))
        for part in chunks([{"time": a.attempt.time} for a in ordered], count):
            start = parts[-1][1] if parts else 0
            parts.append((start, start + len(part)))  # empty when one moment filled two
        questions = [
            Question(i, k, ordered[i].attempt.strategy, ordered[start].attempt.time)
            for k, (start, stop) in enumerate(parts)
            if k > 0
            for i in range(start, stop)
            if ordered[i].outcome == "success"
        ]
        return cls(tuple(ordered), tuple(parts), tuple(questions))

    def rows(self) -> list[dict[str, Any]]:
        """What the baselines read of each attempt, with its current outcome."""
        return [
            {
                "tool": a.attempt.tool,
                "rule": a.attempt.rule,
                "strategy": a.attempt.strategy,
                "outcome": a.outcome,
                "time": a.attempt.time,
            }
            for a in self.attempts
        ]


def texts_of(attempts: Sequence[CurrentAttempt]) -> list[str]:
    return [
        finding_text(a.attempt.tool, a.attempt.rule, a.attempt.message, a.attempt.snippet)
        for a in attempts
    ]


def build(replayed: Replay, vectors: Vectors | None, embedder_id: str | None) -> AttemptIndex:
    """The index of every attempt, with its vector (``vectors[i]``, rounded as stored)."""
    columns = from_attempts(replayed.attempts)
    count = len(replayed.attempts)
    if vectors is None:
        columns.present = np.zeros(count, np.bool_)
        stored: npt.NDArray[Any] = np.zeros((count, 0), np.float16)
    else:
        columns.present = np.ones(count, np.bool_)
        stored = vectors.astype(np.float16)
    return AttemptIndex.arrange(columns, stored, embedder_id)


def answer(
    replayed: Replay,
    index: AttemptIndex,
    queries: Vectors | None,
    config: RecommendConfig,
) -> list[Answer]:
    """The arm's answer to every question, iteration by iteration, each as of its ``now``."""
    columns = index.columns
    answers: list[Answer] = []
    for k in range(1, len(replayed.parts)):
        asked = [q for q in replayed.questions if q.iteration == k]
        if not asked:
            continue
        now = asked[0].now
        calibration = fit(replay(index, config, before=now, top=CALIBRATION_TOP))
        attempts = [replayed.attempts[q.position].attempt for q in asked]
        ballot, _ = index.votes(
            None if queries is None else queries[[q.position for q in asked]],
            [columns.rule_code(a.tool, a.rule) for a in attempts],
            [columns.language_code(a.language) for a in attempts],
            config,
            before=np.full(len(asked), now, np.int64),
            contexts=[question_context(a) for a in attempts] if config.context_weight else None,
        )
        tools = [a.tool for a in attempts]
        when = np.full(len(asked), now, np.int64)
        chosen = index.choose(ballot, tools, config, limit=RANKED, before=when)
        for question, choices in zip(asked, chosen, strict=True):
            names = [columns.strategies.names[c.strategy] for c in choices]
            rank = names.index(question.truth) + 1 if question.truth in names else 0
            first = calibration.confidence(choices[0].raw) if choices else None
            answers.append(Answer(rank, first))
    return answers


def question_context(attempt: FixAttempt) -> Context:
    """The context a question is asked in: its attempt's, as the finding was (project,
    language, complexity), without the skill that fixed it, which a finding never has."""
    context = Context.of(attempt.context)
    return dataclasses.replace(context, skill=None, language=context.language or attempt.language)


def answer_baselines(replayed: Replay) -> dict[str, list[Answer]]:
    """``rule majority`` and ``global majority``, learned from the iterations before each."""
    rows = replayed.rows()
    baselines = Baselines()
    found: dict[str, list[Answer]] = {RULE_MAJORITY: [], GLOBAL_MAJORITY: []}
    for k in range(1, len(replayed.parts)):
        baselines.learn(rows[slice(*replayed.parts[k - 1])])
        for question in (q for q in replayed.questions if q.iteration == k):
            row = rows[question.position]
            for name, ranked in (
                (RULE_MAJORITY, baselines.rule_top(row, RANKED)),
                (GLOBAL_MAJORITY, baselines.global_top(RANKED)),
            ):
                rank = ranked.index(question.truth) + 1 if question.truth in ranked else 0
                found[name].append(Answer(rank, None))
    return found
