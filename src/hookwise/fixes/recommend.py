"""Ranking fix strategies for one finding from the attempts that speak to it. Pure.

The evidence for a finding is a set of past attempts (``Vote``): its
nearest neighbours by the cosine of their texts (``finding_text``), and the
most recent attempts at the same tool and rule (the exact-rule prior). Each
attempt votes for its strategy with a weight

    w = similarity (if a neighbour at or above the floor) + prior_weight (if the same rule)

times ``cross_language_weight`` when its language is known and differs
from the finding's. A success votes ``+w`` for its strategy, a failure
``-failure_weight * w`` against it, and a pending attempt not at all. A
strategy is suggested while its votes add up to more than nothing, and its
raw score is its share of all the positive votes with ``pseudo_votes`` of
evidence for "something else" added, so one weak neighbour gives a low
score and many agreeing attempts a high one. ``hookwise.fixes.calibration``
maps the raw score to a confidence.

Every choice is a field of ``RecommendConfig``, so a replay can switch each
off (``neighbours=0``, ``prior_weight=0``, ``failure_weight=0``) and measure
what it does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: Votes that add up to no more than this are nothing: float32 cosines of
#: one text against two copies of another differ in the 7th digit (measured:
#: 0.86995375 and 0.86995381), so two successes and two failures of the same
#: finding would otherwise leave a vote of 6e-8.
TIE = 1e-5


@dataclass(frozen=True)
class RecommendConfig:
    """The recommender's choices, each one a replay can switch off.

    - ``neighbours``: how many nearest attempts vote (0: similarity off).
      Twenty lets a rule with a few strategies show each of them at least
      once among the neighbours without letting far-away attempts in.
    - ``similarity_floor``: neighbours below this cosine do not vote; under
      about 0.3 texts of unrelated rules meet with both the hashing embedder
      and MiniLM (the cosine of two random findings' texts is 0.1-0.25).
    - ``prior_weight``: the vote an attempt at the same tool and rule gets
      on top of its similarity (0: prior off); half a perfect neighbour's.
    - ``prior_recent``: how many of the rule's most recent attempts vote,
      so the prior follows how the rule is fixed now and stays cheap.
    - ``failure_weight``: a failure's vote against its strategy, against a
      success's for it (0: outcomes ignored, failures do not count).
    - ``pseudo_votes``: evidence for "something else" every finding starts
      with; the raw score of one lone neighbour of cosine s is s / (s + 1).
    - ``cross_language_weight``: what an attempt in another language counts
      (0: nothing, a Python fix never teaches a JavaScript file).
    - ``examples``: successful attempts shown per strategy.
    """

    neighbours: int = 20
    similarity_floor: float = 0.3
    prior_weight: float = 0.5
    prior_recent: int = 50
    failure_weight: float = 1.0
    pseudo_votes: float = 1.0
    cross_language_weight: float = 0.0
    examples: int = 3


@dataclass(frozen=True)
class Vote:
    """One past attempt as evidence for a finding."""

    strategy: str
    kind: str
    outcome: str  # success | failure | pending (the latest confirmation's)
    similarity: float | None  # the cosine of the texts; None when not a neighbour
    same_rule: bool
    other_language: bool  # both languages known, and they differ
    time: int
    commit: str | None
    diff: str | None


@dataclass(frozen=True)
class Example:
    commit: str | None
    diff: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"commit": self.commit, "diff": self.diff}


@dataclass(frozen=True)
class Ranked:
    """A strategy suggested for a finding, before calibration."""

    strategy: str
    kind: str
    raw: float  # share of the positive votes, in [0, 1)
    success_rate: float  # successes / (successes + failures) among its votes
    support: int  # attempts behind it (successes and failures)
    examples: tuple[Example, ...]
    newest: int  # the time of its newest attempt (breaks ties)


def finding_text(tool: str, rule: str, message: str, snippet: str | None) -> str:
    """What a finding (or the finding of an attempt) is embedded from."""
    text = f"{tool} {rule}: {message}"
    return f"{text}\n{snippet.strip()}" if snippet and snippet.strip() else text


def weight(vote: Vote, config: RecommendConfig) -> float:
    """How much ``vote`` counts, before its outcome's sign."""
    total = 0.0
    if vote.similarity is not None and vote.similarity >= config.similarity_floor:
        total += vote.similarity
    if vote.same_rule:
        total += config.prior_weight
    return total * config.cross_language_weight if vote.other_language else total


def rank(votes: Sequence[Vote], config: RecommendConfig) -> list[Ranked]:
    """The strategies the votes favour, best first (none when nothing speaks for any)."""
    score: dict[str, float] = {}
    counted: dict[str, list[tuple[Vote, float]]] = {}
    for vote in votes:
        if vote.outcome not in ("success", "failure"):
            continue
        w = weight(vote, config)
        if w <= 0.0:
            continue
        sign = 1.0 if vote.outcome == "success" else -config.failure_weight
        score[vote.strategy] = score.get(vote.strategy, 0.0) + sign * w
        counted.setdefault(vote.strategy, []).append((vote, w))
    positive = sum(s for s in score.values() if s > TIE)
    ranked = []
    for strategy, total in score.items():
        if total <= TIE:  # as many failures as successes, give or take rounding
            continue
        behind = counted[strategy]
        successes = [v for v, _ in behind if v.outcome == "success"]
        ranked.append(
            Ranked(
                strategy=strategy,
                kind=_kind([v for v, _ in behind]),
                raw=total / (positive + config.pseudo_votes),
                success_rate=len(successes) / len(behind),
                support=len(behind),
                examples=_examples(successes, config.examples),
                newest=max(v.time for v, _ in behind),
            )
        )
    ranked.sort(key=lambda r: (-r.raw, -r.support, -r.newest, r.strategy))
    return ranked


def _kind(votes: list[Vote]) -> str:
    """The kind most of a strategy's attempts have (the newest's on a tie)."""
    counts = Counter(v.kind for v in votes)
    newest = {v.kind: v.time for v in sorted(votes, key=lambda v: v.time)}
    return max(counts, key=lambda kind: (counts[kind], newest[kind]))


def _examples(successes: list[Vote], limit: int) -> tuple[Example, ...]:
    """The most similar successful attempts with a commit or a diff (newest first on a tie)."""
    shown = [v for v in successes if v.commit or v.diff]
    shown.sort(key=lambda v: (-(v.similarity or 0.0), -v.time))
    return tuple(Example(v.commit, v.diff) for v in shown[:limit])
