"""Writing the rule prior (``hookwise.checks.prior``) when fix memory changes.

An idle task: after fix attempts were recorded (by ``hookwise fix record``,
by fix detection after a check run, by an import), the next idle round
rewrites ``.git/hookwise/rule-prior.json`` from ``fix_attempts``, so that
``hookwise check`` without a warm worker suggests from what worked before.
The file records the table versions it was written from; the task does
nothing while those are the tables' (two version reads, no scan).

Patterns pulled from other projects (``hookwise sync --pull``) go in the
same file, so that the check without a worker shows them at no cost: after
a rule's own strategies, in the room they leave, with ``source`` and
``repos``, as the worker's answer has them (``hookwise.fixes.pulled``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from hookwise.capture.jsonfile import write_object
from hookwise.checks.prior import PRIOR_STRATEGIES, RULE_PRIOR_FILE, RULE_PRIOR_VERSION
from hookwise.errors import TableMissingError
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.memory import current
from hookwise.fixes.pulled import Pulled, load_pulled
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts
from hookwise.store.patterns import patterns_version


def rule_prior(attempts: list[FixAttempt]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """tool -> rule -> the strategies that worked, most successes first (then best rate)."""
    tally: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for settled in current(attempts):
        if settled.outcome not in ("success", "failure") or settled.attempt.source == "suggested":
            continue  # a suggestion shown is no evidence (hookwise.learning.pending)
        attempt = settled.attempt
        counts = tally[(attempt.tool, attempt.rule, attempt.strategy)]
        counts[settled.outcome] += 1
        counts[f"kind:{attempt.kind}"] += 1
    per_rule: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for (tool, rule, strategy), counts in tally.items():
        if not counts["success"]:
            continue
        support = counts["success"] + counts["failure"]
        kinds = Counter({k[5:]: n for k, n in counts.items() if k.startswith("kind:")})
        per_rule[(tool, rule)].append(
            {
                "strategy": strategy,
                "kind": kinds.most_common(1)[0][0],
                "successes": counts["success"],
                "support": support,
                "success_rate": round(counts["success"] / support, 3),
            }
        )
    prior: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for (tool, rule), strategies in sorted(per_rule.items()):
        strategies.sort(key=lambda s: (-s["successes"], -s["success_rate"], s["strategy"]))
        prior[tool][rule] = strategies[:PRIOR_STRATEGIES]
    return dict(prior)


def with_pulled(
    prior: dict[str, dict[str, list[dict[str, Any]]]], pulled: Pulled
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``prior`` with each rule's pulled patterns after its own strategies, up to
    ``PRIOR_STRATEGIES``, never one the rule's own strategies name."""
    for (tool, rule), patterns in sorted(pulled.by_rule.items()):
        own = prior.setdefault(tool, {}).setdefault(rule, [])
        named = {entry["strategy"].casefold() for entry in own}
        for pattern in patterns:
            if len(own) < PRIOR_STRATEGIES and pattern.strategy.casefold() not in named:
                shape = pattern.suggestion().to_json()
                own.append({key: shape[key] for key in PULLED_KEYS})
    return prior


PULLED_KEYS = ("strategy", "kind", "success_rate", "support", "source", "repos")


def written_version(path: Path) -> tuple[object, object] | None:
    """The ``fix_attempts`` and ``patterns`` versions the file was written from."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return data.get("fix_attempts_version"), data.get("patterns_version")


def write_rule_prior(store: Store) -> bool:
    """Rewrite the store's rule prior if fix memory changed since it was written; True if it did."""
    try:
        version = store.version("fix_attempts")
    except TableMissingError:
        return False  # a store from before fix memory: nothing to learn from yet
    pulled_version = patterns_version(store)
    path = store.paths.hookwise_dir / RULE_PRIOR_FILE
    if written_version(path) == (version, pulled_version):
        return False
    attempts = [FixAttempt.from_row(row) for row in fix_attempts(store)]
    data = {
        "version": RULE_PRIOR_VERSION,
        "fix_attempts_version": version,
        "patterns_version": pulled_version,
        "rules": with_pulled(rule_prior(attempts), load_pulled(store)),
    }
    write_object(path, data)  # a reader sees the old file or the new one, never half of one
    return True
