"""What the worker's maintenance reads and deletes in fix memory's tables.

Retention of old check runs with their findings, and the rows whose vector
another embedder made, read in batches for re-embedding
(``hookwise.worker.maintenance``). Fix attempts are never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from hookwise.store.db import Store, sql_string
from hookwise.store.fixes import FINDING_COLUMNS, FIX_ATTEMPT_COLUMNS, FindingRow, FixAttemptRow

#: Check runs one retention pass deletes at most: the ids go into one filter,
#: and 2,000 of them (~90 KB of SQL) keep each delete a single short commit.
RETENTION_BATCH = 2000


def oldest_check_run(store: Store) -> int | None:
    """The ``time`` of the oldest stored check run; None when there is none."""
    times = [t for t in store.column("check_runs", "time").to_pylist() if t is not None]
    return min(times) if times else None


def delete_check_runs_before(
    store: Store, cutoff: int, *, limit: int = RETENTION_BATCH, lock_timeout: float = 30.0
) -> tuple[int, int]:
    """Delete up to ``limit`` check runs older than ``cutoff`` (epoch seconds) and their
    findings; how many runs and findings went. Fix attempts are never touched.

    Findings go first, in one commit, then their runs in another: a pass
    interrupted between the two leaves old runs without findings, which the
    next pass deletes, never findings whose run is gone.
    """
    with store.lock(lock_timeout):
        ids = store.read("check_runs", f"time < {int(cutoff)}", ["id"]).column("id").to_pylist()
        ids = sorted(ids)[:limit]
        if not ids:
            return 0, 0
        chosen = ", ".join(sql_string(run_id) for run_id in ids)
        findings = store.count("findings", f"run_id IN ({chosen})")
        if findings:
            store.delete("findings", f"run_id IN ({chosen})")
        store.delete("check_runs", f"id IN ({chosen})")
    return len(ids), findings


def _stale(embedder_id: str) -> str:
    """Rows embedded by another embedder than ``embedder_id`` (null: never embedded)."""
    return f"embedder IS NOT NULL AND embedder != {sql_string(embedder_id)}"


def stale_vector_count(store: Store, table: str, embedder_id: str) -> int:
    """How many rows of ``table`` (``findings`` or ``fix_attempts``) carry another
    embedder's vector."""
    return store.count(table, _stale(embedder_id))


def _first(store: Store, table: str, where: str, columns: Sequence[str], limit: int) -> list[Any]:
    """The first ``limit`` rows that match: after a model change every row of 100k is
    stale, and a batch must not read them all."""
    with store.reading(table):
        query = store._table(table).search().where(where).select(list(columns)).limit(limit)
        rows: list[Any] = query.to_arrow().to_pylist()
    return rows


def stale_fix_attempts(store: Store, embedder_id: str, limit: int) -> list[FixAttemptRow]:
    """Up to ``limit`` attempts whose vector another embedder made."""
    rows = _first(store, "fix_attempts", _stale(embedder_id), FIX_ATTEMPT_COLUMNS, limit)
    return cast("list[FixAttemptRow]", rows)


def stale_findings(store: Store, embedder_id: str, limit: int) -> list[FindingRow]:
    """Up to ``limit`` findings whose vector another embedder made."""
    rows = _first(store, "findings", _stale(embedder_id), FINDING_COLUMNS, limit)
    return cast("list[FindingRow]", rows)
