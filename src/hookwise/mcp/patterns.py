"""``cross_project_patterns``: fix patterns the team's aggregator hands back on sync.

The store's ``patterns`` table (DESIGN §3, ``hookwise.store.patterns``) is
filled by ``hookwise sync --pull`` (``hookwise.sync.pull``): per kind of
finding and strategy, the success rate and support pooled over the team's
other repositories, and their names. While a store has no synced pattern
the answer is not an error: an agent asking learns that nothing was synced
and how to sync, and goes on with this repository's own memory
(``suggest_fixes``, which also adds the synced patterns that work, after
the local strategies). ``pulled_patterns`` is the one place here that reads
the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookwise.store.db import Store

HOW_TO_SYNC = (
    "no cross-project patterns have been synced to this repository; `hookwise sync --pull` "
    "fetches them from the team's aggregator (`hookwise serve`) once one is set up. "
    "Until then, suggest_fixes answers from this repository's own fix memory."
)


def pulled_patterns(store: Store, rule: str | None) -> list[dict[str, Any]] | None:
    """The synced patterns (of ``rule``, when given), best first; None when none are synced."""
    from hookwise.store.patterns import count_patterns, read_patterns

    if count_patterns(store) == 0:
        return None
    return [dict(row) for row in read_patterns(store, rule)]


def cross_project_patterns(store: Store, rule: str | None) -> dict[str, Any]:
    """``{"synced", "rule", "patterns", "message"?}``: what the aggregator handed back."""
    patterns = pulled_patterns(store, rule)
    if patterns is None:
        return {"synced": False, "rule": rule, "patterns": [], "message": HOW_TO_SYNC}
    return {"synced": True, "rule": rule, "patterns": patterns}
