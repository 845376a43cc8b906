"""Cross-project patterns as stored: the ``patterns`` table (DESIGN §3).

What ``hookwise sync --pull`` brought from the team's aggregator: per kind
of finding (tool, rule, signature) and strategy, the success rate and
support pooled over the other repositories that reported it, and which
those were. Typed rows in, typed rows out, as ``hookwise.store.fixes``;
the meaning (validation, which repositories count) is ``hookwise.sync``'s.

A pull replaces the whole table in one LanceDB commit (a merge that
updates, inserts, and deletes what the aggregator no longer sends): a
reader sees the old patterns or the new ones, never a mix, and a failed
pull leaves the old ones in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, cast

import pyarrow as pa

from hookwise.errors import TableMissingError
from hookwise.store import schema
from hookwise.store.db import Store, sql_string

TABLE = "patterns"


class PatternRow(TypedDict):
    tool: str
    rule: str
    signature: str
    strategy: str
    kind: str
    success: float
    support: float
    repos: list[str]
    pulled_at: int


def replace_patterns(store: Store, rows: Sequence[PatternRow]) -> int:
    """Make ``rows`` the whole table, atomically; how many stored rows are gone.

    The caller holds the store's lock. Rows must not repeat a key (tool,
    rule, signature, strategy): the merge refuses that.
    """
    data = pa.Table.from_pylist(list(rows), schema=schema.PATTERNS)
    with store.writing():
        merge = store._table(TABLE).merge_insert(list(schema.TABLES[TABLE].key))
        result = (
            merge.when_matched_update_all()
            .when_not_matched_insert_all()
            .when_not_matched_by_source_delete()
            .execute(data)
        )
    return int(result.num_deleted_rows)


def read_patterns(store: Store, rule: str | None = None) -> list[PatternRow]:
    """The stored patterns (of ``rule``, when given); none in a store without the table.

    Best first: the most successes (success rate times support) first.
    """
    if count_patterns(store) == 0:
        return []
    try:
        where = None if rule is None else f"rule = {sql_string(rule)}"
        found = cast(list[PatternRow], store.read(TABLE, where).to_pylist())
    except TableMissingError:
        return []  # a store opened to read only, before its migration to schema 4
    found.sort(key=lambda row: (-row["success"] * row["support"], row["strategy"]))
    return found


def count_patterns(store: Store) -> int:
    """How many patterns are stored; 0 without the table."""
    try:
        return store.count(TABLE)
    except TableMissingError:
        return 0


def patterns_version(store: Store) -> int | None:
    """The table's version (it changes with every pull); None without the table."""
    try:
        return store.version(TABLE)
    except TableMissingError:
        return None
