"""The full-text index of ``commits``: LanceDB's BM25 over chosen text columns.

One index per column, named ``<column>_idx``. A search asks ``has_index``
first: LanceDB answers a full-text query without its index with a bare
ValueError or RuntimeError, which says nothing a caller could decide on.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from hookwise.store.db import Store

TABLE = "commits"


def _names(store: Store) -> set[str]:
    with store.reading(TABLE):
        return {index.name for index in store._table(TABLE).list_indices()}


def has_index(store: Store, columns: Sequence[str]) -> bool:
    """Whether every one of ``columns`` has its full-text index."""
    names = _names(store)
    return all(f"{column}_idx" in names for column in columns)


def create_index(store: Store, columns: Sequence[str]) -> bool:
    """Build the full-text index of the ``columns`` that lack one; True when it built any.

    Rows added later are searched too (LanceDB scans what the index does not
    cover yet) and join the index when the worker compacts the store.
    """
    from lancedb.index import FTS

    names = _names(store)
    missing = [column for column in columns if f"{column}_idx" not in names]
    if not missing:
        return False
    table = store._table(TABLE)
    with store.writing(), store.lock():
        for column in missing:
            # English stemming and stop words (the defaults): "supporting"
            # meets "support", and "the" matches nothing.
            table.create_index(column, config=FTS(), name=f"{column}_idx")
    return True


def search(
    store: Store, query: str, columns: Sequence[str], *, where: str | None, limit: int
) -> pa.Table:
    """The ``limit`` best commits for ``query`` by BM25 over ``columns``: ``sha``, ``_score``.

    Any one of the query's words is enough (OR), and every column weighs the
    same. Ask ``has_index`` first: without the index LanceDB fails.
    """
    from lancedb.query import FullTextOperator, MultiMatchQuery

    fts = MultiMatchQuery(query, list(columns), boosts=None, operator=FullTextOperator.OR)
    with store.reading(TABLE):
        found = store._table(TABLE).search(fts, query_type="fts").select(["sha", "_score"])
        if where:
            found = found.where(where)
        result: pa.Table = found.limit(limit).to_arrow()
    return result
