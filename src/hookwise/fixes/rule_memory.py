"""The exact-rule prior split between the rule's newest attempts and its whole memory.

The prior once counted only a rule's ``prior_recent`` (100) newest
attempts. Counting each commit once, the per-rule majority, which counts
every attempt ever made at the rule, beat it at top-3 on pytest's replay
(0.259 against 0.246): where the newest 100 fixes of a rule are one mass
commit's, the window forgets how the forty commits before it fixed the
rule. So ``RecommendConfig.memory_share`` of the prior goes to the rule's
memory (its ``memory_limit`` newest attempts), the rest to the window as
before: an attempt at the rule votes ``prior_weight`` times

    (1 - memory_share) * (1 if among the window or a neighbour, else 0)
    + memory_share * its share of the memory,

where the memory, each commit's n attempts at the rule counting ``n ** (1
- memory_batch_power)`` in all, votes as much as the window does
(``min(attempts, prior_recent)``). docs/suggest.md has the replay's
figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hookwise.fixes.partition import Rows
from hookwise.fixes.recommend import Floats, RecommendConfig


def remembers(config: RecommendConfig) -> bool:
    """Whether the rule's memory votes at all."""
    return config.prior_weight > 0 and config.memory_share > 0 and config.memory_limit > 0


def rule_rows_wanted(config: RecommendConfig) -> int:
    """How many of a rule's newest attempts the ballot needs: its window and its memory."""
    return (
        max(config.prior_recent, config.memory_limit) if remembers(config) else config.prior_recent
    )


def memory_shares(batch: Rows, config: RecommendConfig) -> Floats:
    """Each of a rule's attempts' share of its memory, given the sizes of their commits'
    batches at the rule (newest first); 0 beyond the memory."""
    shares = np.zeros(len(batch), np.float64)
    counts = batch[: config.memory_limit].astype(np.float64) ** -config.memory_batch_power
    if len(counts):
        shares[: len(counts)] = counts * (min(len(counts), config.prior_recent) / counts.sum())
    return shares


def prior_factors(
    near: Sequence[int],
    recent: Sequence[Rows],
    shares: Sequence[Floats],
    inverse: Rows,
    kept: int,
    config: RecommendConfig,
) -> Floats:
    """What each kept ballot entry's prior is multiplied by.

    The entries were every finding's neighbours (``near``: how many each),
    then every finding's rule rows (``recent``, newest first, with their
    ``shares``), and ``inverse`` maps each to one of the ``kept`` entries
    left when a (finding, attempt) pair met twice. A neighbour votes its
    window part as every same-rule neighbour always did.
    """
    in_window = np.concatenate(
        [np.ones(n, np.float64) for n in near]
        + [(np.arange(len(rows)) < config.prior_recent).astype(np.float64) for rows in recent]
    )
    memory = np.concatenate([np.zeros(n, np.float64) for n in near] + list(shares))
    window = np.bincount(inverse, weights=in_window, minlength=kept) > 0
    remembered = np.bincount(inverse, weights=memory, minlength=kept)
    share = config.memory_share
    factors: Floats = (1.0 - share) * window + share * remembered
    return factors
