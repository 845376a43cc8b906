"""``hookwise export TABLE --format jsonl``: one JSON object per row (DESIGN §5)."""

from __future__ import annotations

import json
from typing import TextIO

from hookwise.store.db import Store

VECTOR_COLUMNS = ("vector",)


def export(store: Store, table: str, out: TextIO, *, vectors: bool = False) -> int:
    """Write ``table`` as JSON lines to ``out``; return the number of rows written."""
    data = store.read(table)
    if not vectors:
        drop = [c for c in VECTOR_COLUMNS if c in data.column_names]
        data = data.drop_columns(drop)
    count = 0
    for batch in data.to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count
