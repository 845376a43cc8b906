"""Cross-project patterns in suggestions: after this repository's own memory, and labelled.

``hookwise sync --pull`` stores what worked on each rule in the team's other
repositories (the ``patterns`` table, ``hookwise.store.patterns``). A
finding's suggestions gain those of its tool and rule, with three rules:

- **After the local strategies.** This repository's own memory speaks first:
  every strategy it suggests, with or without support, ranks above every
  pulled one; only the checker's own fix (``ruff check --fix``, learned
  from nothing) stays last. A pulled pattern fills the room the local ones
  leave under the limit, and never takes a local one's place.
- **Never twice.** A strategy the local answer already names (compared
  without case) is not added again from other projects.
- **Only what works.** A pattern shows when its pooled success rate is at
  least ``MIN_SUCCESS`` over at least ``MIN_SUPPORT`` attempts: the
  aggregator's own bar for "a strategy that works across repositories"
  (``hookwise.server.queries.WORKS_SUCCESS``/``WORKS_SUPPORT``), since one
  lucky fix elsewhere is not a suggestion.

The aggregator pools per kind of finding (rule and message signature); a
suggestion pools the signatures of one rule again (support-weighted success
rate, summed support, the union of the repositories), because a finding
here is matched by its rule. Each carries ``"source": "other projects"``
and ``"repos"`` (how many repositories it pools) in the suggest contract,
no confidence (nothing here calibrates it) and no example (code stays in
its own repository). A replay of the memory as it was (``suggest_in_process``
with ``before``) gets none: what was pulled is today's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from hookwise.fixes.suggest import FindingSuggestions, Suggestion
from hookwise.store.db import Store
from hookwise.store.patterns import patterns_version, read_patterns

SOURCE = "other projects"
MIN_SUCCESS = 0.6
MIN_SUPPORT = 2.0


@dataclass(frozen=True)
class PulledPattern:
    """One strategy on one rule, pooled over the other repositories that reported it."""

    strategy: str
    kind: str
    success: float
    support: float
    repos: int

    def suggestion(self) -> Suggestion:
        return Suggestion(
            strategy=self.strategy,
            kind=self.kind,
            confidence=None,
            success_rate=round(self.success, 4),
            support=round(self.support),
            examples=(),
            source=SOURCE,
            repos=self.repos,
        )


@dataclass(frozen=True)
class Pulled:
    """The pulled patterns that may be suggested, by (tool, rule), best first."""

    by_rule: Mapping[tuple[str, str], tuple[PulledPattern, ...]] = field(default_factory=dict)
    version: int | None = None  # the patterns table's version they were read at


def load_pulled(store: Store, known: Pulled | None = None) -> Pulled:
    """The store's pulled patterns that work, pooled per rule and strategy; ``known``
    itself when it was read at the table's current version (one version read, no scan)."""
    version = patterns_version(store)
    if version is None:
        return Pulled()
    if known is not None and known.version == version:
        return known
    pooled: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    repos: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    kinds: dict[tuple[str, str, str], str] = {}
    for row in read_patterns(store):
        key = (row["tool"], row["rule"], row["strategy"])
        pooled[key][0] += row["success"] * row["support"]
        pooled[key][1] += row["support"]
        repos[key].update(row["repos"])
        kinds.setdefault(key, row["kind"])  # rows come best first: the strongest one's kind
    by_rule: dict[tuple[str, str], list[PulledPattern]] = defaultdict(list)
    for key, (successes, support) in pooled.items():
        success = successes / support if support else 0.0
        if success >= MIN_SUCCESS and support >= MIN_SUPPORT:
            tool, rule, strategy = key
            found = PulledPattern(strategy, kinds[key], success, support, len(repos[key]))
            by_rule[(tool, rule)].append(found)
    ranked = {
        key: tuple(sorted(found, key=lambda p: (-p.success * p.support, p.strategy)))
        for key, found in by_rule.items()
    }
    return Pulled(ranked, version)


def with_pulled(
    answers: Sequence[FindingSuggestions], pulled: Pulled, limit: int
) -> list[FindingSuggestions]:
    """Each answer with its rule's pulled patterns after its local strategies, up to ``limit``."""
    if not pulled.by_rule:
        return list(answers)
    out = []
    for answer in answers:
        finding = answer.finding
        found = pulled.by_rule.get((finding.tool, finding.rule), ())
        local = answer.suggestions
        named = {s.strategy.casefold() for s in local}
        room = limit - len(local)
        extra = [p.suggestion() for p in found if p.strategy.casefold() not in named][:room]
        if not extra:
            out.append(answer)
            continue
        learned = tuple(s for s in local if s.learned)
        own_fix = tuple(s for s in local if not s.learned)  # the checker's own fix: last
        out.append(replace(answer, suggestions=learned + tuple(extra) + own_fix))
    return out
