"""``cross_project_patterns``: fix patterns the team's aggregator hands back on sync.

The store's ``patterns`` table (DESIGN §3) is filled by ``hookwise sync
--pull``, which comes with the aggregator (issue 12). Until a store has that
table, or while it is empty, the answer is not an error: an agent asking
learns that nothing was synced and how to sync, and goes on with this
repository's own memory (``suggest_fixes``). ``pulled_patterns`` is the one
place that reads the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookwise.store.db import Store

TABLE = "patterns"
HOW_TO_SYNC = (
    "no cross-project patterns have been synced to this repository; `hookwise sync --pull` "
    "fetches them from the team's aggregator (`hookwise serve`) once one is set up. "
    "Until then, suggest_fixes answers from this repository's own fix memory."
)


def pulled_patterns(store: Store, rule: str | None) -> list[dict[str, Any]] | None:
    """The synced patterns (of ``rule``, when given), or None when none were ever synced."""
    from hookwise.store import schema

    if TABLE not in schema.TABLES or store.count(TABLE) == 0:
        return None
    rows: list[dict[str, Any]] = store.read(TABLE).to_pylist()
    return [row for row in rows if rule is None or row.get("rule") == rule]


def cross_project_patterns(store: Store, rule: str | None) -> dict[str, Any]:
    """``{"synced", "rule", "patterns", "message"?}``: what the aggregator handed back."""
    patterns = pulled_patterns(store, rule)
    if patterns is None:
        return {"synced": False, "rule": rule, "patterns": [], "message": HOW_TO_SYNC}
    return {"synced": True, "rule": rule, "patterns": patterns}
