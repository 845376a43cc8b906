"""The replay an index calibrates its confidence on (``AttemptIndex.calibrate``).

Its successful attempts are each suggested for from the attempts made
before them, as the worker would have answered then; the (raw score, was
right) pairs go to ``hookwise.fixes.calibration.fit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hookwise.fixes.recommend import SUCCESS, RecommendConfig

if TYPE_CHECKING:
    from hookwise.fixes.index import AttemptIndex

#: Successful attempts replayed to calibrate confidence: one per commit and
#: rule, spread evenly over the store's history. The 300 most recent were
#: asked before, and on flask's history they were one mass commit's: fitted on
#: them, suggestions given 0.3-0.5 were right 1-13% of the time. 1,000, not
#: 300: blocks of 50 pairs (``calibration.MIN_PAIRS``) need them to reach the
#: high raw scores (docs/suggest.md, "Confidence").
REPLAY_QUERIES = 1_000
#: Suggestions per replayed query that give a calibration pair: the first
#: only. A second or third suggestion with the raw score of a first is right
#: less often, and pairs of all three pulled first suggestions' confidence
#: off (pytest's replay: ECE of first suggestions 0.047 fitted on the top
#: three, 0.035 on the first; of all three suggestions 0.034 and 0.027).
CALIBRATION_TOP = 1


def replay(
    index: AttemptIndex,
    config: RecommendConfig,
    *,
    queries: int = REPLAY_QUERIES,
    top: int = 3,
    before: int | None = None,
) -> list[tuple[float, bool]]:
    """(raw score, was right) for the top suggestions of each replayed success.

    Successful attempts are each suggested for from the attempts made
    strictly before them, as if the finding had just been met: one per
    commit and rule (of the attempts made at the same moment at the same
    rule), at most ``queries`` of them spread evenly over time, so one
    commit that fixed a rule a thousand times is one query, not the whole
    sample, with the neighbours found as a live request finds them (the
    inverted file's recall included); a suggestion is right when its
    strategy is the one recorded. Outcomes are today's (a later
    confirmation is known to the replay), which matters only for attempts
    confirmed long after they were made. ``before`` (epoch seconds): only
    successes made earlier are replayed, the calibration as it was then.
    """
    c = index.columns
    successes = np.flatnonzero(c.outcome == SUCCESS)
    if before is not None:
        successes = successes[c.time[successes] < before]
    successes = successes[np.argsort(c.recency[successes], kind="stable")]  # newest first
    successes = successes[np.argsort(c.time[successes], kind="stable")]
    if not len(successes):
        return []
    # One query per commit and rule (its newest attempt), spread evenly over time.
    moment = c.time[successes].astype(np.int64) * max(1, len(c.rules)) + c.rule[successes]
    _, last = np.unique(moment[::-1], return_index=True)
    successes = successes[np.sort(len(successes) - 1 - last)]
    if len(successes) > queries:
        spread = np.linspace(0, len(successes) - 1, queries).round().astype(np.int64)
        successes = successes[np.unique(spread)]
    pairs: list[tuple[float, bool]] = []
    with_vector = successes[successes < index.rows_with_vector]
    without = successes[successes >= index.rows_with_vector]
    for rows, vectors in ((with_vector, index.matrix[with_vector]), (without, None)):
        if not len(rows):
            continue
        ballot, _ = index.votes(
            vectors,
            c.rule[rows].tolist(),
            c.language[rows].tolist(),
            config,
            before=c.time[rows],
            contexts=[index.stored_contexts[code] for code in c.context[rows].tolist()],
        )
        tools = [c.rules.names[rule][0] for rule in c.rule[rows].tolist()]
        chosen = index.choose(ballot, tools, config, limit=top, before=c.time[rows])
        for row, choices in zip(rows.tolist(), chosen, strict=True):
            pairs.extend((choice.raw, choice.strategy == c.strategy[row]) for choice in choices)
    return pairs
