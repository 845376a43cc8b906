"""``hookwise export TABLE --format jsonl``: one JSON object per row (DESIGN §5)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from hookwise.store.db import Store

VECTOR_COLUMNS = ("vector",)
# Tables whose ``embedder`` only labels the row's vector (in ``commit_vectors``
# it is half the key, and stays): without vectors it says nothing, so it goes too.
LABELLED_VECTORS = ("findings", "fix_attempts")


def export(store: Store, table: str, out: TextIO, *, vectors: bool = False) -> int:
    """Write ``table`` as JSON lines to ``out``; return the number of rows written.

    Without ``vectors`` no row carries a vector (nor, in ``findings`` and
    ``fix_attempts``, the id of the embedder that made it). With it, ``commit_vectors``
    rows keep theirs, and each ``commits`` row gains ``embedder`` and
    ``vector``: the store's active embedder's vector for the commit, at the
    embedder's own dimension, or nulls while the commit waits for one.
    """
    data = store.read(table)
    attached: dict[str, Any] | None = None
    if not vectors:
        dropped = VECTOR_COLUMNS + (("embedder",) if table in LABELLED_VECTORS else ())
        drop = [c for c in dropped if c in data.column_names]
        data = data.drop_columns(drop)
    elif table == "commits":
        attached = commit_vectors(store)
    count = 0
    for batch in data.to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            if attached is not None:
                row.update(attached.get(row["sha"]) or {"embedder": None, "vector": None})
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def commit_vectors(store: Store) -> dict[str, Any]:
    """sha -> ``{"embedder": id, "vector": [...]}`` for the active embedder's vectors."""
    from hookwise.errors import ExtraMissingError, StoreError
    from hookwise.search.state import read_state, store_embedder
    from hookwise.store import vectors
    from hookwise.store.schema import VECTOR_DIMENSION

    state = read_state(store.paths)
    if state is None:
        return {}
    try:
        dimension = store_embedder(store.paths)[0].dimension
    except (StoreError, ExtraMissingError):
        # The embedder cannot be built here (its extra is missing, or it
        # changed): its vectors are still what the store holds, at full width.
        dimension = VECTOR_DIMENSION
    rows = vectors.read(store, state.embedder_id)
    matrix = vectors.from_stored(rows.column("vector"), dimension)
    return {
        sha: {"embedder": state.embedder_id, "vector": matrix[i].tolist()}
        for i, sha in enumerate(rows.column("sha").to_pylist())
    }
