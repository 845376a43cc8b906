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

import numpy as np

from hookwise.fixes.attempt_columns import Columns
from hookwise.fixes.partition import Rows
from hookwise.fixes.recommend import FAILURE, SUCCESS, TIE, Choice, RecommendConfig


def common_choices(
    columns: Columns, tools: Sequence[str], before: Rows | None, config: RecommendConfig
) -> list[list[Choice]]:
    """Per finding (of tool ``tools[i]``), the ``common_fill`` strategies of most votes
    among the attempts at the same tool made before it (``before[i]``; None: all of
    them), most first, then the one met first. A mypy error is never filled with what
    fixed ruff's findings."""
    answer: list[list[Choice]] = [[] for _ in tools]
    if config.common_fill <= 0 or not tools:
        return answer
    tool_of_rule = np.array([tool for tool, _ in columns.rules.names] + [""], dtype=object)
    attempt_tool = tool_of_rule[columns.rule] if len(columns.rules) else tool_of_rule[:0]
    asked = np.array(tools, dtype=object)
    for tool in sorted(set(tools)):
        findings = np.flatnonzero(asked == tool)
        voting = (attempt_tool == tool) & (
            (columns.outcome == SUCCESS) | (columns.outcome == FAILURE)
        )
        when = None if before is None else np.asarray(before, np.int64)[findings]
        filled = _common(columns, np.flatnonzero(voting), when, len(findings), config)
        for f, choices in zip(findings.tolist(), filled, strict=True):
            answer[f] = choices
    return answer


def _common(
    columns: Columns, counted: Rows, before: Rows | None, findings: int, config: RecommendConfig
) -> list[list[Choice]]:
    """``common_choices`` over the attempts ``counted``, for ``findings`` findings."""
    counted = counted[np.argsort(columns.time[counted], kind="stable")]
    strategy = columns.strategy[counted].astype(np.int64)
    success = columns.outcome[counted] == SUCCESS
    time = columns.time[counted]
    span = len(columns.strategies)
    kinds = _newest_kind(columns, counted, span)
    met = np.full(span, len(counted), np.int64)
    np.minimum.at(met, strategy, np.arange(len(counted)))  # Counter's order on ties
    if before is None:
        cuts = np.array([len(counted)], np.int64)
        which = np.zeros(findings, np.int64)
    else:
        cuts, which = np.unique(np.searchsorted(time, before, "left"), return_inverse=True)
    wins = np.zeros(span)
    losses = np.zeros(span)
    newest = np.full(span, np.iinfo(np.int64).min)
    done = 0
    per_cut: list[list[Choice]] = []
    for end in cuts.tolist():
        fresh = slice(done, end)
        np.add.at(wins, strategy[fresh][success[fresh]], 1.0)
        np.add.at(losses, strategy[fresh][~success[fresh]], 1.0)
        np.maximum.at(newest, strategy[fresh], time[fresh])
        done = end
        score = wins - config.failure_weight * losses
        positive = float(score[score > TIE].sum()) + config.pseudo_votes
        best = np.lexsort((met, -score))[: config.common_fill]
        per_cut.append(
            [
                Choice(
                    strategy=s,
                    kind=int(kinds[s]),
                    raw=float(score[s] / positive),
                    success_rate=float(wins[s] / (wins[s] + losses[s])),
                    support=int(wins[s] + losses[s]),
                    examples=(),
                    newest=int(newest[s]),
                )
                for s in best.tolist()
                if score[s] > TIE
            ]
        )
    return [list(per_cut[w]) for w in which.tolist()]


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


def _newest_kind(columns: Columns, counted: Rows, span: int) -> Rows:
    """Per strategy, the kind of its newest counted attempt (``counted`` in time order)."""
    kinds = np.zeros(span, np.int64)
    strategy = columns.strategy[counted]
    _, last = np.unique(strategy[::-1], return_index=True)
    last = len(counted) - 1 - last
    kinds[strategy[last]] = columns.kind[counted[last]]
    return kinds
