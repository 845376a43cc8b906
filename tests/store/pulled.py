"""Rows of the ``patterns`` table as a pull stores them, and storing them without an aggregator."""

from __future__ import annotations

from typing import Any

from hookwise.store.db import Store
from hookwise.store.patterns import PatternRow, replace_patterns


def pattern_row(
    strategy: str, success: float = 0.9, support: float = 10.0, **fields: Any
) -> PatternRow:
    """A pooled pattern of ruff's F401 from repositories api and web, with ``fields`` changed."""
    row: PatternRow = {
        "tool": "ruff",
        "rule": "F401",
        "signature": "`<name>` imported but unused",
        "strategy": strategy,
        "kind": "delete",
        "success": success,
        "support": support,
        "repos": ["api", "web"],
        "pulled_at": 1_764_000_000,
    }
    row.update(fields)  # type: ignore[typeddict-item]
    return row


def store_patterns(store: Store, *rows: PatternRow) -> int:
    """Replace the table with ``rows``, as a pull does; how many stored rows went."""
    with store.lock():
        return replace_patterns(store, list(rows))
