"""The repository's most common strategies: what fills the places a finding's own
evidence leaves empty.

A finding whose rule the store has seen fixed only one or two ways, or
never, gets fewer than three suggestions from its rule and its neighbours.
The per-rule majority (``hookwise.learning.baselines``) fills those places
with the strategies that fixed the most findings of any rule, and on
pytest's replay that is where it beat the recommender, counting each commit
once: of 940 commits, 57 asked about a rule never seen, where its top-3 was
right for 11.6 commits against the recommender's 6.3, and 31 about a rule
seen fixed two ways, 6.3 against 2.7 (docs/suggest.md, "Filling the empty
places"). So the places left under ``RecommendConfig.common_fill`` take
the store's most common strategies, after every strategy the finding's own
evidence names.

Each fill counts the attempts at the finding's tool made before the finding (all of them when
asked live; as of each replayed query's time when calibrating or
replaying): a success for the strategy, a failure ``failure_weight``
against it. Its raw score is its share of those votes, with
``pseudo_votes`` for "something else", the same share ``choose`` gives a
finding's own strategies, so calibration maps it like any other; it shows
no example (its fixes were of other rules). A strategy the finding's own
attempts voted down (as many failures as successes at its rule, or its
decayed votes) is never brought back by the fill; the fill itself is not
decayed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hookwise.fixes.attempt_columns import Columns
from hookwise.fixes.partition import Rows
from hookwise.fixes.recommend import FAILURE, SUCCESS, TIE, Choice, RecommendConfig


@dataclass(frozen=True)
class ToolVotes:
    """A tool's successes and failures in time order: what the fills are counted from.

    Built once per tool and index (``Common``): sorting 100k attempts for
    every request cost the warm worker about 20 ms of a 50 ms budget.
    """

    strategy: Rows
    success: npt.NDArray[np.bool_]
    time: Rows
    kinds: Rows  # per strategy: the kind of its newest attempt
    met: Rows  # per strategy: where it first appears (Counter's order on ties)

    @classmethod
    def of(cls, columns: Columns, tool: str) -> ToolVotes:
        span = len(columns.strategies)
        rules = [code for code, (t, _) in enumerate(columns.rules.names) if t == tool]
        voting = np.isin(columns.rule, rules) & (
            (columns.outcome == SUCCESS) | (columns.outcome == FAILURE)
        )
        counted = np.flatnonzero(voting)
        counted = counted[np.argsort(columns.time[counted], kind="stable")]
        strategy = columns.strategy[counted].astype(np.int64)
        kinds = np.zeros(span, np.int64)
        met = np.full(span, len(counted), np.int64)
        if len(counted):
            _, first = np.unique(strategy, return_index=True)
            met[strategy[first]] = first
            _, last = np.unique(strategy[::-1], return_index=True)
            last = len(counted) - 1 - last
            kinds[strategy[last]] = columns.kind[counted[last]]
        return cls(strategy, columns.outcome[counted] == SUCCESS, columns.time[counted], kinds, met)


@dataclass
class Common:
    """The fills an index has counted: each tool's votes, and its answer without a time."""

    votes: dict[str, ToolVotes] = field(default_factory=dict)
    answers: dict[tuple[str, int, float, float], list[Choice]] = field(default_factory=dict)


def common_choices(
    columns: Columns,
    tools: Sequence[str],
    before: Rows | None,
    config: RecommendConfig,
    common: Common | None = None,
) -> list[list[Choice]]:
    """Per finding (of tool ``tools[i]``), the ``common_fill`` strategies of most votes
    among the attempts at the same tool made before it (``before[i]``; None: all of
    them), most first, then the one met first. A mypy error is never filled with what
    fixed ruff's findings. ``common``: what was counted before, kept for next time."""
    answer: list[list[Choice]] = [[] for _ in tools]
    if config.common_fill <= 0 or not tools:
        return answer
    common = common if common is not None else Common()
    asked = np.array(tools, dtype=object)
    for tool in sorted(set(tools)):
        findings = np.flatnonzero(asked == tool)
        if tool not in common.votes:
            common.votes[tool] = ToolVotes.of(columns, tool)
        votes = common.votes[tool]
        if before is None:
            key = (tool, config.common_fill, config.failure_weight, config.pseudo_votes)
            if key not in common.answers:
                common.answers[key] = _common(votes, None, 1, config)[0]
            filled = [common.answers[key]] * len(findings)
        else:
            filled = _common(votes, np.asarray(before, np.int64)[findings], len(findings), config)
        for f, choices in zip(findings.tolist(), filled, strict=True):
            answer[f] = list(choices)
    return answer


def _common(
    votes: ToolVotes, before: Rows | None, findings: int, config: RecommendConfig
) -> list[list[Choice]]:
    """``common_choices`` over one tool's votes, for ``findings`` findings."""
    span = len(votes.kinds)
    if before is None:
        cuts = np.array([len(votes.time)], np.int64)
        which = np.zeros(findings, np.int64)
    else:
        cuts, which = np.unique(np.searchsorted(votes.time, before, "left"), return_inverse=True)
    wins = np.zeros(span)
    losses = np.zeros(span)
    done = 0
    per_cut: list[list[Choice]] = []
    for end in cuts.tolist():
        fresh, won = votes.strategy[done:end], votes.success[done:end]
        wins += np.bincount(fresh[won], minlength=span)
        losses += np.bincount(fresh[~won], minlength=span)
        score = wins - config.failure_weight * losses
        positive = float(score[score > TIE].sum()) + config.pseudo_votes
        best = [s for s in np.lexsort((votes.met, -score))[: config.common_fill] if score[s] > TIE]
        per_cut.append(
            [
                Choice(
                    strategy=int(s),
                    kind=int(votes.kinds[s]),
                    raw=float(score[s] / positive),
                    success_rate=float(wins[s] / (wins[s] + losses[s])),
                    support=int(wins[s] + losses[s]),
                    examples=(),
                    newest=int(votes.time[:end][votes.strategy[:end] == s].max()),
                )
                for s in best
            ]
        )
        done = end
    return [per_cut[w] for w in which.tolist()]


def fill(
    chosen: list[list[Choice]],
    common: Sequence[Sequence[Choice]],
    places: int,
    heard: Sequence[set[int]] | None = None,
) -> list[list[Choice]]:
    """Each finding's choices, then common strategies it does not name, up to ``places``;
    never one of ``heard[i]``, the strategies finding i's own ballot spoke of (a
    strategy its own attempts voted down stays down)."""
    for i, (choices, extra) in enumerate(zip(chosen, common, strict=True)):
        named = {c.strategy for c in choices} | (heard[i] if heard is not None else set())
        for choice in extra:
            if len(choices) >= places:
                break
            if choice.strategy not in named:
                choices.append(choice)
    return chosen
