"""The rule prior: what fixed each rule before, in a small file ``hookwise check`` can read.

Standard library only. Suggestions are the warm worker's to make; when no
worker answers (none ran, or it is busy), ``hookwise check`` still has what
is cheap: exact matches on the finding's tool and rule in
``.git/hookwise/rule-prior.json``, which the worker writes from
``fix_attempts`` whenever that table changes (``hookwise.worker.prior``).
Reading it costs a JSON load of a few kilobytes, not the store's ~1.6 s::

    {"version": 1, "fix_attempts_version": 12,
     "rules": {"ruff": {"F401": [
        {"strategy": "remove unused import", "kind": "imports",
         "successes": 9, "support": 10, "success_rate": 0.9}, ...]}}}

Per tool and rule, at most ``PRIOR_STRATEGIES`` strategies that worked at
least once, most successes first, then patterns pulled from other projects
in the room left (with ``"source": "other projects"`` and ``repos``).
``support`` counts every settled attempt of the strategy (successes and
failures); pending ones are not counted.
"""

from __future__ import annotations

import json
import os

# typing is not needed at run time (``from __future__ import annotations``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RULE_PRIOR_FILE = "rule-prior.json"
RULE_PRIOR_VERSION = 1
#: As many as a suggestion shows per finding.
PRIOR_STRATEGIES = 3


def read_rule_prior(hookwise_dir: str | os.PathLike[str]) -> dict[str, dict[str, list[Any]]]:
    """tool -> rule -> strategies, or nothing when the file is absent or not one hookwise wrote."""
    path = os.path.join(hookwise_dir, RULE_PRIOR_FILE)  # noqa: PTH118 (os only on the check path)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != RULE_PRIOR_VERSION:
        return {}
    rules = data.get("rules")
    return rules if isinstance(rules, dict) else {}


def prior_suggestions(
    prior: dict[str, dict[str, list[Any]]], tool: str, rule: str
) -> list[dict[str, Any]]:
    """The suggestions of the prior for one finding, in the shape the worker answers with
    (DESIGN §5), without examples and with the success rate as confidence."""
    found = prior.get(tool, {}).get(rule, [])
    suggestions = []
    for entry in found[:PRIOR_STRATEGIES] if isinstance(found, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("strategy"), str):
            continue
        rate = entry.get("success_rate")
        suggestion = {
            "strategy": entry["strategy"],
            "kind": entry.get("kind") or "unknown",
            "confidence": rate,
            "success_rate": rate,
            "support": entry.get("support"),
            "examples": [],
        }
        if isinstance(entry.get("source"), str):  # pulled: no confidence, as the worker says
            pulled = {"source": entry["source"], "repos": entry.get("repos")}
            suggestion |= {"confidence": None, **pulled}
        suggestions.append(suggestion)
    return suggestions
