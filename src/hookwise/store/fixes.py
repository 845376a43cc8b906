"""Fix memory as stored: check runs, their findings, and fix attempts.

Typed rows in, typed rows out; nothing above ``store/`` sees these tables.
The rows are ``TypedDict``s named after the columns of ``schema.CHECK_RUNS``,
``schema.FINDINGS`` and ``schema.FIX_ATTEMPTS``, so the store knows the
columns and ``hookwise.fixes`` and ``hookwise.checks`` keep the meaning
(records, validation) without the store importing either. Vectors are not
part of these rows: they are written null here and filled by the embedder
later, as ``commit_vectors`` are.

All three tables hold rows that exist nowhere else (``source="user"``):
they are only ever added to, each insert keeps the rows already there, and
``hookwise doctor --repair`` keeps a damaged copy aside.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypedDict, cast

import pyarrow as pa

from hookwise.store import schema
from hookwise.store.db import Store, sql_string


class CheckRunRow(TypedDict):
    id: str
    tool: str
    command: list[str]
    exit_code: int
    duration_ms: int
    head: str | None
    time: int
    finding_count: int


class FindingRow(TypedDict):
    run_id: str
    tool: str
    rule: str
    message: str
    path: str
    line: int | None
    fingerprint: str
    snippet: str | None
    language: str | None
    fixable: bool
    time: int


class FixAttemptRow(TypedDict):
    id: str
    tool: str
    rule: str
    message: str
    path: str
    snippet: str | None
    fingerprint: str
    language: str | None
    strategy: str
    kind: str
    source: str
    outcome: str
    commit: str | None
    diff: str | None
    context: str | None
    confirms: str | None
    time: int
    recorded_at: int


#: The columns of each row type, in the table's order, without the vector's.
FIX_ATTEMPT_COLUMNS = tuple(FixAttemptRow.__annotations__)
FINDING_COLUMNS = tuple(FindingRow.__annotations__)
CHECK_RUN_COLUMNS = tuple(CheckRunRow.__annotations__)


def _unvectored(rows: Iterable[Any], table: pa.Schema) -> pa.Table:
    """``rows`` with null ``embedder`` and ``vector`` where the table has them."""
    filled = [{**row, "embedder": None, "vector": None} for row in rows]
    if "vector" not in table.names:
        filled = [
            {k: v for k, v in row.items() if k not in ("embedder", "vector")} for row in filled
        ]
    return pa.Table.from_pylist(filled, schema=table)


def _where(**equal: str | None) -> str | None:
    clauses = [f"{column} = {sql_string(value)}" for column, value in equal.items() if value]
    return " AND ".join(clauses) or None


# -- check runs and findings ---------------------------------------------------


def add_check_run(
    store: Store, run: CheckRunRow, findings: Sequence[FindingRow], *, lock_timeout: float = 30.0
) -> None:
    """Store one check run and its findings (a run already stored is left as it is).

    ``lock_timeout``: how long to wait for another writer (``StoreLockedError`` after).
    """
    with store.lock(lock_timeout):
        store.upsert("check_runs", _unvectored([run], schema.CHECK_RUNS), update=False)
        if findings:
            store.upsert(
                "findings", _unvectored(findings, schema.FINDINGS), update=False, null_vectors=True
            )


def check_runs(store: Store, *, tool: str | None = None) -> list[CheckRunRow]:
    """The stored check runs (of ``tool``), newest first."""
    rows = store.read("check_runs", _where(tool=tool), list(CHECK_RUN_COLUMNS)).to_pylist()
    rows.sort(key=lambda r: (r["time"] or 0, r["id"]), reverse=True)
    return cast("list[CheckRunRow]", rows)


def findings_of(store: Store, run_id: str) -> list[FindingRow]:
    """The findings of check run ``run_id``, in file order."""
    rows = store.read("findings", _where(run_id=run_id), list(FINDING_COLUMNS)).to_pylist()
    rows.sort(key=lambda r: (r["path"] or "", r["line"] or 0, r["fingerprint"]))
    return cast("list[FindingRow]", rows)


def earlier_check_runs(store: Store, run: CheckRunRow, *, limit: int) -> list[CheckRunRow]:
    """Up to ``limit`` runs of ``run``'s tool stored before it, newest first.

    Earlier is an earlier ``time``, or the same second and stored before
    (a check, a commit and a check again fit in one second): rows come out
    of the table in the order they were added, which compaction keeps.
    A ``run`` not stored yet comes after every stored run of its second.
    """
    rows = store.read("check_runs", _where(tool=run["tool"]), list(CHECK_RUN_COLUMNS)).to_pylist()
    order = {row["id"]: index for index, row in enumerate(rows)}
    mine = (run["time"], order.get(run["id"], len(rows)))
    earlier = [row for row in rows if (row["time"] or 0, order[row["id"]]) < mine]
    earlier.sort(key=lambda row: (row["time"] or 0, order[row["id"]]), reverse=True)
    return cast("list[CheckRunRow]", earlier[:limit])


def findings_of_runs(store: Store, run_ids: Sequence[str]) -> dict[str, list[FindingRow]]:
    """The findings of each of ``run_ids`` (one read for all), each run's in file order."""
    found: dict[str, list[FindingRow]] = {run_id: [] for run_id in run_ids}
    if not found:
        return found
    where = f"run_id IN ({', '.join(sql_string(run_id) for run_id in found)})"
    rows = store.read("findings", where, list(FINDING_COLUMNS)).to_pylist()
    rows.sort(key=lambda r: (r["path"] or "", r["line"] or 0, r["fingerprint"]))
    for row in rows:
        found[row["run_id"]].append(cast("FindingRow", row))
    return found


# -- fix attempts --------------------------------------------------------------


def add_fix_attempts(store: Store, rows: Sequence[FixAttemptRow]) -> int:
    """Add the attempts whose id is new; how many were new.

    An id already stored (in the store, or earlier in ``rows``) is skipped,
    which makes recording and importing the same attempts again a no-op.
    """
    unique: dict[str, FixAttemptRow] = {}
    for row in rows:
        unique.setdefault(row["id"], row)
    if not unique:
        return 0
    with store.lock():
        ids = ", ".join(sql_string(key) for key in unique)
        known = set(store.read("fix_attempts", f"id IN ({ids})", ["id"]).column("id").to_pylist())
        new = [row for key, row in unique.items() if key not in known]
        if new:
            rows = _unvectored(new, schema.FIX_ATTEMPTS)
            store.upsert("fix_attempts", rows, update=False, null_vectors=True)
    return len(new)


def fix_attempts(
    store: Store,
    *,
    tool: str | None = None,
    rule: str | None = None,
    source: str | None = None,
    fingerprints: Sequence[str] | None = None,
) -> list[FixAttemptRow]:
    """Every stored attempt row (of ``tool``, for ``rule``, from ``source``, at one of
    ``fingerprints``), confirmations included, in the order they were recorded (then
    by id, so the order is stable)."""
    where = _where(tool=tool, rule=rule, source=source)
    if fingerprints is not None:
        listed = ", ".join(sql_string(value) for value in fingerprints) or "NULL"
        where = " AND ".join(filter(None, (where, f"fingerprint IN ({listed})")))
    rows = store.read("fix_attempts", where, list(FIX_ATTEMPT_COLUMNS)).to_pylist()
    rows.sort(key=lambda r: (r["recorded_at"] or 0, r["id"]))
    return cast("list[FixAttemptRow]", rows)


# -- what suggest reads ----------------------------------------------------------

#: The columns ranking reads of each row (``hookwise.fixes.index``): no path,
#: fingerprint, context or source; message and snippet embed a row that has
#: no vector yet, commit and diff only say whether there is a fix to show.
RANKING_COLUMNS = (
    "id",
    "tool",
    "rule",
    "message",
    "snippet",
    "language",
    "strategy",
    "kind",
    "outcome",
    "commit",
    "diff",
    "context",
    "confirms",
    "time",
    "recorded_at",
    "embedder",
    "vector",
)
#: Where a row is kept (LanceDB's row address); ``fix_attempt_examples`` takes by it.
ROW_ID = "_rowid"


def ranking_batches(
    store: Store, batch_size: int = 8192, *, before: int | None = None
) -> Iterator[pa.RecordBatch]:
    """Every row's ``RANKING_COLUMNS`` and ``ROW_ID``, a batch at a time (memory for
    one batch, not the table: 8192 rows of 384 float16 dimensions are 6 MB).

    ``before`` (epoch seconds): only rows whose ``time`` is earlier, the
    memory as it was then, for a replay that judges the past fairly.
    """
    with store.reading("fix_attempts"):
        query = (
            store._table("fix_attempts")
            .search()
            .select(list(RANKING_COLUMNS))
            .with_row_id(True)
            .limit(None)
        )
        # What a check showed (source "suggested") is never evidence: its outcome
        # says whether the suggestion was taken, and the fix it led to is an
        # attempt of its own (hookwise.learning.pending).
        where = "source != 'suggested'"
        if before is not None:
            where += f" AND time < {int(before)}"
        yield from query.where(where).to_batches(batch_size)


def fix_attempt_examples(
    store: Store, row_ids: Sequence[int], ids: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    """``(commit, diff)`` of the attempts ``ids``, found where ``row_ids`` say.

    Taking rows by address costs 2-3 ms for 300 rows of 100k, where a
    filter on ``id`` scans the table (13-28 ms). A row moved since it was
    read (compaction rewrites them) is looked up by its id instead.
    """
    found: dict[str, tuple[str | None, str | None]] = {}
    if not ids:
        return found
    with store.reading("fix_attempts"):
        taken = (
            store._table("fix_attempts")
            .take_row_ids([int(r) for r in row_ids if r >= 0])
            .select(["id", "commit", "diff"])
            .to_arrow()
            if any(r >= 0 for r in row_ids)
            else pa.table({"id": [], "commit": [], "diff": []})
        )
    wanted = set(ids)
    for row in taken.to_pylist():
        if row["id"] in wanted:
            found[row["id"]] = (row["commit"], row["diff"])
    moved = [i for i in ids if i not in found]
    if moved:
        where = f"id IN ({', '.join(sql_string(i) for i in moved)})"
        for row in store.read("fix_attempts", where, ["id", "commit", "diff"]).to_pylist():
            found[row["id"]] = (row["commit"], row["diff"])
    return found


# -- fix attempts' vectors ------------------------------------------------------


def fix_attempt_vectors(store: Store, embedder_id: str) -> pa.Table:
    """``id`` and ``vector`` of the attempts (not confirmations) with ``embedder_id``'s vector."""
    where = f"embedder = {sql_string(embedder_id)} AND confirms IS NULL"
    return store.read("fix_attempts", where, ["id", "vector"])


def fix_attempts_without_vector(store: Store, embedder_id: str, limit: int) -> list[FixAttemptRow]:
    """Up to ``limit`` attempts (not confirmations) lacking the embedder's vector, newest first.

    The worker's idle task asks for 256 at a time: the ids and times of all
    that wait are read, then only the newest rows whole (after a ``fix
    learn`` of 100k attempts, each round read every column of all of them).
    """
    where = f"(embedder IS NULL OR embedder != {sql_string(embedder_id)}) AND confirms IS NULL"
    waiting = store.read("fix_attempts", where, ["id", "time"]).to_pylist()
    waiting.sort(key=lambda r: (r["time"] or 0, r["id"]), reverse=True)
    newest = [row["id"] for row in waiting[:limit]]
    if not newest:
        return []
    chosen = f"id IN ({', '.join(sql_string(key) for key in newest)}) AND {where}"
    rows = store.read("fix_attempts", chosen, list(FIX_ATTEMPT_COLUMNS)).to_pylist()
    rows.sort(key=lambda r: (r["time"] or 0, r["id"]), reverse=True)
    return cast("list[FixAttemptRow]", rows)


def set_fix_attempt_vectors(
    store: Store, rows: Sequence[FixAttemptRow], embedder_id: str, vectors: pa.Array
) -> None:
    """Store ``vectors`` (as ``store.vectors.to_stored`` makes them) for the attempts ``rows``."""
    _set_vectors(store, "fix_attempts", rows, embedder_id, vectors)


def _set_vectors(
    store: Store, name: str, rows: Sequence[Any], embedder_id: str, vectors: pa.Array
) -> None:
    if not rows:
        return
    table = pa.Table.from_pylist(
        [{**row, "embedder": embedder_id, "vector": None} for row in rows],
        schema=schema.TABLES[name].schema,
    )
    table = table.set_column(table.schema.get_field_index("vector"), "vector", vectors)
    with store.lock():
        store.upsert(name, table, update=True)


# -- maintenance: retention and stale vectors -------------------------------------


def set_finding_vectors(
    store: Store, rows: Sequence[FindingRow], embedder_id: str, vectors: pa.Array
) -> None:
    """Store ``vectors`` (as ``store.vectors.to_stored`` makes them) for the findings ``rows``."""
    _set_vectors(store, "findings", rows, embedder_id, vectors)
