"""Ranking fix strategies for one finding from the attempts that speak to it. Pure.

The evidence for a finding is a set of past attempts (``Vote``): its
nearest neighbours by the cosine of their texts (``finding_text``), and the
most recent attempts at the same tool and rule with the rule's memory (the
exact-rule prior, ``hookwise.fixes.rule_memory``: the ballot's ``prior``
column says how much of it each attempt holds). Each attempt votes for its
strategy with a weight

    w = similarity (if a neighbour at or above the floor) + prior_weight (if the same rule)

times ``cross_language_weight`` when its language is known and differs
from the finding's, times its decay (``hookwise.fixes.decay``: 2 ** (-age
/ half_life), the age behind the finding's newest attempt, so the newest
counts 1), times ``1 - context_weight * (1 - context similarity)``
(``hookwise.fixes.context``: same project, language, complexity, skill).
A success votes ``+w`` for its strategy, a failure
``-failure_weight * w`` against it, and a pending attempt not at all. A
strategy is suggested while its votes add up to more than nothing, and its
raw score is its share of all the positive votes with ``pseudo_votes`` of
evidence for "something else" added, so one weak neighbour gives a low
score and many agreeing attempts a high one. ``hookwise.fixes.calibration``
maps the raw score to a confidence. Places a finding's own evidence leaves
empty are filled afterwards (``AttemptIndex.choose``, ``hookwise.fixes.common``).

Every choice is a field of ``RecommendConfig``, so a replay can switch each
off (``neighbours=0``, ``prior_weight=0``, ``failure_weight=0``) and measure
what it does.

``choose`` does the arithmetic on columns (``Ballot``), for many findings
at once, with ``np.bincount`` over (finding, strategy) codes: ranking 20
findings' votes record by record cost about 30 ms in the warm worker, more
than the nearest-neighbour search itself. ``rank`` is the same on one
finding's ``Vote`` records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hookwise.fixes.decay import decay, relative_decay
from hookwise.fixes.recommend_config import RecommendConfig as RecommendConfig

#: Votes that add up to no more than this are nothing: float32 cosines of
#: one text against two copies of another differ in the 7th digit (measured:
#: 0.86995375 and 0.86995381), so two successes and two failures of the same
#: finding would otherwise leave a vote of 6e-8.
TIE = 1e-5


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
    context: float = 1.0  # context similarity with the finding, in [0, 1]


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


def weight(vote: Vote, config: RecommendConfig, *, newest: int | None = None) -> float:
    """How much ``vote`` counts, before its outcome's sign; ``newest`` is the time of
    the newest attempt speaking to the finding (the vote's own when not given)."""
    total = 0.0
    if vote.similarity is not None and vote.similarity >= config.similarity_floor:
        near = vote.similarity**config.similarity_power
        total += near if vote.same_rule else near * config.other_rule_weight
    if vote.same_rule:
        total += config.prior_weight
    if vote.other_language:
        total *= config.cross_language_weight
    age = 0 if newest is None else newest - vote.time
    total *= decay(age, config.half_life_days)
    return total * (1.0 - config.context_weight * (1.0 - vote.context))


def rank(votes: Sequence[Vote], config: RecommendConfig) -> list[Ranked]:
    """The strategies the votes favour, best first (none when nothing speaks for any).

    The same arithmetic as the warm worker's (``choose``), on one finding's
    votes given as records.
    """
    if not votes:
        return []
    strategies = sorted({v.strategy for v in votes})
    kinds = sorted({v.kind for v in votes})
    strategy_code = {name: code for code, name in enumerate(strategies)}
    kind_code = {name: code for code, name in enumerate(kinds)}
    ballot = Ballot(
        finding=np.zeros(len(votes), np.int64),
        strategy=np.array([strategy_code[v.strategy] for v in votes], np.int64),
        kind=np.array([kind_code[v.kind] for v in votes], np.int64),
        outcome=np.array([OUTCOME_CODES.get(v.outcome, PENDING) for v in votes], np.int8),
        similarity=np.array(
            [np.nan if v.similarity is None else v.similarity for v in votes], np.float64
        ),
        same_rule=np.array([v.same_rule for v in votes], np.bool_),
        other_language=np.array([v.other_language for v in votes], np.bool_),
        time=np.array([v.time for v in votes], np.int64),
        showable=np.array([bool(v.commit or v.diff) for v in votes], np.bool_),
        context=np.array([v.context for v in votes], np.float64),
    )
    # Codes were given in sorted order, so a code's rank is the code itself.
    [choices] = choose(ballot, 1, np.arange(len(strategies)), config)
    return [
        Ranked(
            strategy=strategies[c.strategy],
            kind=kinds[c.kind],
            raw=c.raw,
            success_rate=c.success_rate,
            support=c.support,
            examples=tuple(Example(votes[i].commit, votes[i].diff) for i in c.examples),
            newest=c.newest,
        )
        for c in choices
    ]


# -- the same, on columns: many findings' votes at once -----------------------------------

SUCCESS, FAILURE, PENDING = 0, 1, 2
OUTCOME_CODES = {"success": SUCCESS, "failure": FAILURE}  # anything else is pending

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Ballot:
    """Votes as columns, one entry per (finding, attempt), a finding's entries in the
    order of its attempts (newest first): what ``choose`` ranks without a Python loop
    per vote. Strategy and kind are codes into the caller's tables."""

    finding: Ints  # which finding the entry speaks to: 0 .. findings - 1
    strategy: Ints
    kind: Ints
    outcome: Ints  # SUCCESS, FAILURE or PENDING
    similarity: Floats  # the cosine; nan when the attempt is not a neighbour
    same_rule: Bools
    other_language: Bools
    time: Ints
    showable: Bools  # the attempt has a commit or a diff to show
    # What each entry's vote is multiplied by (its share of its commit's); None: 1.
    share: Floats | None = None
    # Context similarity with the finding, in [0, 1]; None: every entry's is 1.
    context: Floats | None = None
    # What each entry's rule prior is multiplied by; None: 1.
    prior: Floats | None = None

    def __len__(self) -> int:
        return len(self.finding)


@dataclass(frozen=True)
class Choice:
    """A strategy suggested for one finding, by codes; ``examples`` are ballot entries."""

    strategy: int
    kind: int
    raw: float
    success_rate: float
    support: int
    examples: tuple[int, ...]
    newest: int


def weights(ballot: Ballot, config: RecommendConfig, findings: int | None = None) -> Floats:
    """``weight`` of every entry, each decayed by its age behind the newest entry of its
    finding that has an outcome (``findings``: how many there are, when known)."""
    similarity = ballot.similarity
    with np.errstate(invalid="ignore"):  # nan (not a neighbour) is below any floor
        near = np.where(
            similarity >= config.similarity_floor, similarity**config.similarity_power, 0.0
        )
    near = np.where(ballot.same_rule, near, near * config.other_rule_weight)
    prior = config.prior_weight if ballot.prior is None else config.prior_weight * ballot.prior
    total = near + np.where(ballot.same_rule, prior, 0.0)
    total = np.where(ballot.other_language, total * config.cross_language_weight, total)
    if config.half_life_days is not None and len(ballot):
        # Ages behind the newest attempt that votes (a pending one does not).
        voting = np.flatnonzero((ballot.outcome != PENDING) & (total > 0.0))
        groups = int(findings if findings is not None else ballot.finding.max() + 1)
        total[voting] *= relative_decay(
            ballot.time[voting], ballot.finding[voting], groups, config.half_life_days
        )
    if ballot.context is not None and config.context_weight:
        total = total * (1.0 - config.context_weight * (1.0 - ballot.context))
    return total


def choose(
    ballot: Ballot,
    findings: int,
    strategy_rank: Ints,
    config: RecommendConfig,
    *,
    limit: int | None = None,
) -> list[list[Choice]]:
    """Per finding, the strategies its votes favour, best first, at most ``limit``.

    ``strategy_rank[code]`` is the strategy's place in name order, the last
    tie-break. Sums run in the entries' order, so a finding's scores are the
    ones adding its votes one by one gives, to the last bit.
    """
    answer: list[list[Choice]] = [[] for _ in range(findings)]
    w = weights(ballot, config, findings)
    if ballot.share is not None:
        w = w * ballot.share
    counted = np.flatnonzero((ballot.outcome != PENDING) & (w > 0.0))
    if not len(counted):
        return answer
    success = ballot.outcome[counted] == SUCCESS
    w = w[counted]
    signed = np.where(success, w, -config.failure_weight * w)
    time = ballot.time[counted].astype(np.int64)
    span = len(strategy_rank)
    key = ballot.finding[counted].astype(np.int64) * span + ballot.strategy[counted]
    strategies, first, owner = np.unique(key, return_index=True, return_inverse=True)
    score = np.bincount(owner, weights=signed, minlength=len(strategies))
    support = np.bincount(owner, minlength=len(strategies))
    wins = np.bincount(owner, weights=success, minlength=len(strategies))
    newest = np.full(len(strategies), np.iinfo(np.int64).min)
    np.maximum.at(newest, owner, time)
    finding = strategies // span
    code = strategies % span
    kept = np.flatnonzero(score > TIE)  # as many failures as successes: nothing
    if not len(kept):
        return answer
    in_order = kept[np.argsort(first[kept], kind="stable")]  # as a dict would add them
    positive = np.bincount(finding[in_order], weights=score[in_order], minlength=findings)
    raw = score / (positive[finding] + config.pseudo_votes)
    ranked = kept[
        np.lexsort(
            (
                strategy_rank[code[kept]],
                -newest[kept],
                -support[kept],
                -raw[kept],
                finding[kept],
            )
        )
    ]
    if limit is not None:  # a finding's first ``limit``: its entries run in order
        of = finding[ranked]
        ranked = ranked[np.arange(len(ranked)) - np.searchsorted(of, of, "left") < limit]
    kind = _kinds(ballot.kind[counted], owner, time, len(strategies))
    shown, shown_owner = _examples(ballot, counted, success, owner, time)
    lo = np.searchsorted(shown_owner, ranked, "left")
    hi = np.minimum(np.searchsorted(shown_owner, ranked, "right"), lo + config.examples)
    entries = counted[shown].tolist()
    for f, c, k, r, rate, s, n, a, b in zip(
        finding[ranked].tolist(),
        code[ranked].tolist(),
        kind[ranked].tolist(),
        raw[ranked].tolist(),
        (wins[ranked] / support[ranked]).tolist(),
        support[ranked].tolist(),
        newest[ranked].tolist(),
        lo.tolist(),
        hi.tolist(),
        strict=True,
    ):
        answer[f].append(Choice(c, k, r, rate, s, tuple(entries[a:b]), n))
    return answer


def _kinds(kind: Ints, owner: Ints, time: Ints, strategies: int) -> Ints:
    """Per strategy, the kind most of its attempts have; on a tie the one whose newest
    attempt is newer, then the one met first."""
    span = int(kind.max()) + 1
    pairs, first, which = np.unique(
        owner.astype(np.int64) * span + kind, return_index=True, return_inverse=True
    )
    count = np.bincount(which, minlength=len(pairs))
    newest = np.full(len(pairs), np.iinfo(np.int64).min)
    np.maximum.at(newest, which, time)
    strategy = pairs // span
    order = np.lexsort((-first, newest, count, strategy))
    last = order[np.append(strategy[order][1:] != strategy[order][:-1], True)]
    best = np.zeros(strategies, np.int64)
    best[strategy[last]] = pairs[last] % span
    return best


def _examples(
    ballot: Ballot, counted: Ints, success: Bools, owner: Ints, time: Ints
) -> tuple[Ints, Ints]:
    """The successes with something to show (positions in ``counted``), grouped by
    strategy, most similar first, then newest, then in ballot order; and their strategies."""
    shown = np.flatnonzero(success & ballot.showable[counted])
    similarity = np.nan_to_num(ballot.similarity[counted[shown]], nan=0.0)
    shown = shown[np.lexsort((shown, -time[shown], -similarity, owner[shown]))]
    return shown, owner[shown]
