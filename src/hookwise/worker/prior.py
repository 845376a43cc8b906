"""Writing the rule prior (``hookwise.checks.prior``) when fix memory changes.

An idle task: after fix attempts were recorded (by ``hookwise fix record``,
by fix detection after a check run, by an import), the next idle round
rewrites ``.git/hookwise/rule-prior.json`` from ``fix_attempts``, so that
``hookwise check`` without a warm worker suggests from what worked before.
The file records the table version it was written from; the task does
nothing while that version is the table's (one version read, no scan).
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
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts


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


def written_version(path: Path) -> int | None:
    """The ``fix_attempts`` version the file was written from; None when there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("fix_attempts_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def write_rule_prior(store: Store) -> bool:
    """Rewrite the store's rule prior if fix memory changed since it was written; True if it did."""
    try:
        version = store.version("fix_attempts")
    except TableMissingError:
        return False  # a store from before fix memory: nothing to learn from yet
    path = store.paths.hookwise_dir / RULE_PRIOR_FILE
    if written_version(path) == version:
        return False
    attempts = [FixAttempt.from_row(row) for row in fix_attempts(store)]
    data = {
        "version": RULE_PRIOR_VERSION,
        "fix_attempts_version": version,
        "rules": rule_prior(attempts),
    }
    write_object(path, data)  # a reader sees the old file or the new one, never half of one
    return True
