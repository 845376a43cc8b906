"""The recommender's choices (``hookwise.fixes.recommend``), each a field a replay,
an A/B arm or ``[tool.hookwise.suggest]`` can set.

Kept apart from the arithmetic so that the choices and the figures that
decided them read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecommendConfig:
    """The recommender's choices, each one a replay can switch off.

    - ``neighbours``: how many nearest attempts vote (0: similarity off).
      Five, chosen on pytest's replay (``bench/replay.py``, the tuning set;
      flask is only scored): top-1/top-3 0.203/0.306 against 0.165/0.297
      with twenty, whose farther neighbours, often at other rules,
      outvote the rule's own history; 50 scored 0.155/0.258.
    - ``similarity_floor``: neighbours below this cosine do not vote. Under
      about 0.3 texts of unrelated rules meet with both the hashing embedder
      and MiniLM (the cosine of two random findings' texts is 0.1-0.25), the
      floor until the rule's memory voted; 0.8 since: a loose neighbour at the
      finding's own rule repeats its rule prior with noise, a near-duplicate
      says how this very text was fixed. On pytest's replay by commit (the
      tuning set, with the memory at half the prior) top-3 was 0.258 at 0.7,
      0.263 at 0.8, 0.260 at 0.85, and 0.250 with the floor at 0.3.
    - ``prior_weight``: the vote an attempt at the same tool and rule gets
      on top of its similarity (0: prior off); half a perfect neighbour's.
    - ``prior_recent``: how many of the rule's most recent attempts vote,
      so the prior follows how the rule is fixed now and stays cheap.
    - ``memory_share``: the share of the rule prior its whole memory holds,
      the rest going to the ``prior_recent`` newest (0: the newest alone).
      The memory is the rule's ``memory_limit`` newest attempts; together
      they vote as much as the window, each commit's ``n`` attempts at the
      rule counting ``n ** (1 - memory_batch_power)``. The per-rule
      majority counts every attempt ever made at the rule, and counting each
      commit once that beat the window of 100 at top-3 on pytest (0.259
      against 0.246): a rule whose newest 100 fixes are one mass commit's
      forgets how forty commits before it fixed it. On pytest's replay (the
      tuning set, floor 0.8) top-3 by commit and per finding was 0.260 and
      0.419 at 0.15, 0.264 and 0.418 at 0.25, 0.263 and 0.387 at 0.5,
      0.262 and 0.358 at 0.75: the window keeps the mass commits' rules.
    - ``memory_limit``: how many of the rule's newest attempts its memory
      holds, so a rule with 50,000 attempts does not put them all on every
      ballot: 500, 1,000, 2,000 and all of them scored the same on pytest
      (top-3 0.264 by commit, 0.417 per finding), 300 a little less (0.262,
      0.417), and at 2,000 the warm worker's votes for 20 findings at 100k
      attempts took 12 ms more than before the memory.
    - ``memory_batch_power``: in the memory only, an attempt that is one of
      n a commit made at the rule counts ``n ** -memory_batch_power`` (0.5:
      the commit counts √n). 0, 0.5 and 1 scored top-3 0.263, 0.264 and
      0.261 by commit on pytest, 0.419, 0.418 and 0.416 per finding.
    - ``common_fill``: the places up to this many (and the limit asked for)
      that a finding's own evidence leaves empty take the store's most
      common strategies (``hookwise.fixes.common``; 0: they stay empty).
      Worth top-3 0.264 against 0.247 by commit on pytest: a rule seen
      never, or fixed only one or two ways, is often fixed as most findings
      are.
    - ``failure_weight``: a failure's vote against its strategy, against a
      success's for it (0: outcomes ignored, failures do not count).
    - ``pseudo_votes``: evidence for "something else" every finding starts
      with; the raw score of one lone neighbour of cosine s is s / (s + 1).
    - ``cross_language_weight``: what an attempt in another language counts
      (0: nothing, a Python fix never teaches a JavaScript file).
    - ``examples``: successful attempts shown per strategy.
    - ``similarity_power``: a neighbour votes its cosine to this power;
      above 1 a near-duplicate of the finding outweighs several loose
      matches.
    - ``other_rule_weight``: what a neighbour at another rule counts (1:
      as much as one at the same rule).
    - ``batch_power``: an attempt that is one of n made at the same moment
      at the same rule (one commit's: a mass rewrite) votes ``n **
      -batch_power``, so the commit counts ``n ** (1 - batch_power)``
      (0: every attempt counts alone). One pytest commit holds 1,647 of its
      6,975 mined fixes and would otherwise decide every rule it touched.
    - ``half_life_days``: an attempt counts half as much as one made this
      many days after it (None: no decay). Ages run back from the newest
      attempt speaking to the finding, never from the clock, so old memory
      is never silenced (``hookwise.fixes.decay``). Off by default: on
      pytest's mined fixes (the tuning set; every success from the second
      fifteenth on suggested for from the attempts before it, in-process,
      hashing embedder) top-1/top-3 were 0.183/0.284 without decay,
      0.110/0.170 at 90 days, 0.175/0.278 at 365 and 0.180/0.287 at 730:
      mined strategies are noisy, and a short half-life hands a rare rule
      to whatever fixed it last. 90 days is the documented choice where
      practice changes faster than that (docs/learning.md).
    - ``context_weight``: how much a mismatched context (another project,
      language, complexity or skill; ``hookwise.fixes.context``) takes
      off an attempt's vote: it counts ``1 - context_weight * (1 -
      similarity)`` (0: context ignored; 1: a fully mismatched attempt
      counts nothing). At 0.5 an attempt that differs in everything counts
      half; unknown parts of a context never count against it. Off by
      default: on pytest's replay (``hookwise eval``, tuning set) 0.5
      changed top-1/top-3 by -0.000 [-0.001, +0.001] / -0.001 [-0.003,
      +0.000] and 1 by -0.001 / -0.002 [-0.004, -0.000]: in one project's
      history only complexity differs, and it tells fixes apart no better
      than the text does; reading the finding's file for its complexity
      costs a check up to 40 ms of parsing. Another language is already
      ``cross_language_weight``'s.
    """

    neighbours: int = 5
    similarity_floor: float = 0.8
    prior_weight: float = 0.5
    prior_recent: int = 100
    failure_weight: float = 1.0
    pseudo_votes: float = 1.0
    cross_language_weight: float = 0.0
    examples: int = 3
    similarity_power: float = 1.0
    other_rule_weight: float = 1.0
    batch_power: float = 0.0
    half_life_days: float | None = None
    context_weight: float = 0.0
    memory_share: float = 0.25
    memory_limit: int = 500
    memory_batch_power: float = 0.5
    common_fill: int = 3
