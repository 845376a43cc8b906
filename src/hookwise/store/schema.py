"""Arrow schemas of the store's tables, its version and its migrations.

Records are frozen dataclasses everywhere else; this module is the one place
that turns them into Arrow columns and back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hookwise.conventional import parse as parse_conventional
from hookwise.records import CommitRecord, RefEvent

SCHEMA_VERSION = 4

_STR_LIST = pa.list_(pa.string())

COMMITS = pa.schema(
    [
        pa.field("sha", pa.string(), nullable=False),
        pa.field("parents", _STR_LIST),
        pa.field("is_merge", pa.bool_()),
        pa.field("had_conflicts", pa.bool_()),  # null for non-merges
        pa.field("conflict_paths", _STR_LIST),
        pa.field("author_name", pa.string()),
        pa.field("author_email", pa.string()),
        pa.field("author_time", pa.int64()),
        pa.field("author_tz", pa.int32()),
        pa.field("committer_name", pa.string()),
        pa.field("committer_email", pa.string()),
        pa.field("committer_time", pa.int64()),
        pa.field("committer_tz", pa.int32()),
        pa.field("branch", pa.string()),
        pa.field("subject", pa.string()),
        pa.field("body", pa.string()),
        pa.field("cc_category", pa.string()),
        pa.field("cc_type", pa.string()),
        pa.field("cc_scope", pa.string()),
        pa.field("cc_breaking", pa.bool_()),
        pa.field("cc_valid", pa.bool_()),
        pa.field("files_changed", pa.int32()),
        pa.field("insertions", pa.int32()),
        pa.field("deletions", pa.int32()),
        pa.field("paths", _STR_LIST),
        pa.field("source", pa.string()),
        pa.field("action", pa.string()),
        pa.field("rewritten", pa.bool_()),
        pa.field("captured_at", pa.int64()),
    ]
)

REWRITE = pa.struct([("old", pa.string()), ("new", pa.string())])

REF_EVENTS = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("time", pa.int64()),
        pa.field("tz", pa.int32()),
        pa.field("kind", pa.string()),
        pa.field("from", pa.string()),
        pa.field("to", pa.string()),
        pa.field("from_sha", pa.string()),
        pa.field("to_sha", pa.string()),
        pa.field("rewrites", pa.list_(REWRITE)),
        pa.field("worktree", pa.string()),
        pa.field("source", pa.string()),
    ]
)


# Vectors are stored as float16: half the size of float32 (768 bytes for 384
# dimensions, DESIGN §6 allows 2 KB per commit in all), and on the labelled
# pytest queries of bench/search_quality.py rankings are unchanged (cosines
# move by < 1e-3). Embedders with fewer dimensions are zero-padded, which
# changes no dot product or norm; more than this is refused.
VECTOR_DIMENSION = 384
VECTOR = pa.list_(pa.float16(), VECTOR_DIMENSION)

# One row per commit per embedder: a store only ever compares rows whose
# `embedder` equals its active embedder id, and `hookwise reindex` writes a
# new embedder's rows next to the old ones before switching, so search keeps
# working while it runs. Rows are merged on (sha, embedder).
COMMIT_VECTORS = pa.schema(
    [
        pa.field("sha", pa.string(), nullable=False),
        pa.field("embedder", pa.string(), nullable=False),
        pa.field("vector", VECTOR),
    ]
)

# A search result the user opened (`hookwise show N`): the query as typed
# (normalised), the commit, and when. No query vector: clicks survive a
# reindex, and a click's query is embedded with whatever embedder asks.
CLICKS = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("query", pa.string()),
        pa.field("sha", pa.string()),
        pa.field("time", pa.int64()),
    ]
)

# Fix memory (DESIGN §3, docs/fixes.md). Times are epoch seconds (UTC), as in
# every other table. ``command`` is the checker's argv as run: a list keeps
# arguments with spaces exact, where a joined string would need quoting.
CHECK_RUNS = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("tool", pa.string()),
        pa.field("command", _STR_LIST),
        pa.field("exit_code", pa.int32()),
        pa.field("duration_ms", pa.int64()),
        pa.field("head", pa.string()),
        pa.field("time", pa.int64()),
        pa.field("finding_count", pa.int32()),
    ]
)

# One row per finding of a run, keyed on (run_id, fingerprint): the checks
# package suffixes repeats of one fingerprint (``:1``, ``:2``), so the pair is
# unique. ``vector`` and ``embedder`` are filled by the worker, as
# ``commit_vectors`` are, and stay null until then.
FINDINGS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("tool", pa.string()),
        pa.field("rule", pa.string()),
        pa.field("message", pa.string()),
        pa.field("path", pa.string()),
        pa.field("line", pa.int32()),
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("snippet", pa.string()),
        pa.field("language", pa.string()),
        pa.field("fixable", pa.bool_()),
        pa.field("time", pa.int64()),
        pa.field("embedder", pa.string()),
        pa.field("vector", VECTOR),
    ]
)

# A fix attempt: the finding it addressed, the strategy, and how it went.
# Rows are only ever added: confirming an attempt adds a row whose
# ``confirms`` names it (docs/fixes.md), so two writers never race on one
# row's outcome. ``context`` is JSON text (language, project, complexity,
# skill), so new context keys need no migration.
FIX_ATTEMPTS = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("tool", pa.string()),
        pa.field("rule", pa.string()),
        pa.field("message", pa.string()),
        pa.field("path", pa.string()),
        pa.field("snippet", pa.string()),
        pa.field("fingerprint", pa.string()),
        pa.field("language", pa.string()),
        pa.field("strategy", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("source", pa.string()),  # auto | agent | manual
        pa.field("outcome", pa.string()),  # success | failure | pending
        pa.field("commit", pa.string()),
        pa.field("diff", pa.string()),
        pa.field("context", pa.string()),
        pa.field("confirms", pa.string()),
        pa.field("time", pa.int64()),
        pa.field("recorded_at", pa.int64()),
        pa.field("embedder", pa.string()),
        pa.field("vector", VECTOR),
    ]
)

# Cross-project patterns pulled from the team's aggregator (``hookwise.sync.pull``):
# one row per kind of finding and strategy, pooled over the other repositories
# that reported it. The whole table is replaced by each pull, in one commit
# (``hookwise.store.patterns``); ``pulled_at`` is when (epoch seconds).
PATTERNS = pa.schema(
    [
        pa.field("tool", pa.string(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("signature", pa.string(), nullable=False),
        pa.field("strategy", pa.string(), nullable=False),
        pa.field("kind", pa.string()),
        pa.field("success", pa.float64()),
        pa.field("support", pa.float64()),
        pa.field("repos", _STR_LIST),
        pa.field("pulled_at", pa.int64()),
    ]
)


@dataclass(frozen=True)
class TableSpec:
    """A table: its name, its Arrow schema, and the columns that identify a row.

    ``key`` is what upserts merge on (``Store``, ``hookwise.store.vectors``).
    ``source`` says where its rows come from, and so what a repair may do
    with a damaged copy (``hookwise doctor --repair``): ``git`` rows are read
    again from history, ``embedder`` rows computed again by the worker,
    ``aggregator`` rows pulled again (``hookwise sync --pull``), and
    ``user`` rows exist nowhere else (clicks, check runs, findings, fix
    attempts), so a damaged copy is kept aside, never deleted.
    """

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    source: str = "git"  # git | embedder | aggregator | user

    @property
    def rebuildable(self) -> bool:
        """Its rows can be had again without the damaged copy."""
        return self.source != "user"


TABLES: dict[str, TableSpec] = {
    "commits": TableSpec("commits", COMMITS, ("sha",)),
    "ref_events": TableSpec("ref_events", REF_EVENTS, ("id",)),
    # One row per commit per embedder; see COMMIT_VECTORS.
    "commit_vectors": TableSpec(
        "commit_vectors", COMMIT_VECTORS, ("sha", "embedder"), source="embedder"
    ),
    "clicks": TableSpec("clicks", CLICKS, ("id",), source="user"),
    "check_runs": TableSpec("check_runs", CHECK_RUNS, ("id",), source="user"),
    "findings": TableSpec("findings", FINDINGS, ("run_id", "fingerprint"), source="user"),
    "fix_attempts": TableSpec("fix_attempts", FIX_ATTEMPTS, ("id",), source="user"),
    "patterns": TableSpec(
        "patterns", PATTERNS, ("tool", "rule", "signature", "strategy"), source="aggregator"
    ),
}


def commits_to_arrow(records: Iterable[CommitRecord]) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for r in records:
        cc = parse_conventional(f"{r.subject}\n\n{r.body}", is_merge=r.is_merge)
        rows.append(
            {
                "sha": r.sha,
                "parents": list(r.parents),
                "is_merge": r.is_merge,
                "had_conflicts": r.had_conflicts if r.is_merge else None,
                "conflict_paths": list(r.conflict_paths),
                "author_name": r.author_name,
                "author_email": r.author_email,
                "author_time": r.author_time,
                "author_tz": r.author_tz,
                "committer_name": r.committer_name,
                "committer_email": r.committer_email,
                "committer_time": r.committer_time,
                "committer_tz": r.committer_tz,
                "branch": r.branch,
                "subject": r.subject,
                "body": r.body,
                "cc_category": cc.category,
                "cc_type": cc.type,
                "cc_scope": cc.scope,
                "cc_breaking": cc.breaking,
                "cc_valid": cc.valid,
                "files_changed": r.files_changed,
                "insertions": r.insertions,
                "deletions": r.deletions,
                "paths": list(r.paths),
                "source": r.source,
                "action": r.action,
                "rewritten": r.rewritten,
                "captured_at": r.captured_at,
            }
        )
    return pa.Table.from_pylist(rows, schema=COMMITS)


def ref_events_to_arrow(events: Iterable[RefEvent]) -> pa.Table:
    rows = [
        {
            "id": e.id,
            "time": e.time,
            "tz": e.tz,
            "kind": e.kind,
            "from": e.from_ref,
            "to": e.to_ref,
            "from_sha": e.from_sha,
            "to_sha": e.to_sha,
            "rewrites": [{"old": o, "new": n} for o, n in e.rewrites],
            "worktree": e.worktree,
            "source": e.source,
        }
        for e in events
    ]
    return pa.Table.from_pylist(rows, schema=REF_EVENTS)


# Migrations: MIGRATIONS[n] takes a store at version n to n + 1. A migration
# receives the open LanceDB connection and must be safe to re-run (a crash
# between the migration and the version file leaves the old version number).
Migration = Callable[[Any], None]


def _add_search_tables(db: Any) -> None:
    """v1 -> v2: the tables behind `hookwise search` (commit vectors, clicks).

    Commits keep their rows: their vectors are filled in afterwards by the
    worker, like those of any commit that waits for a vector.
    """
    existing = set(db.list_tables().tables)
    for spec in (TABLES["commit_vectors"], TABLES["clicks"]):
        if spec.name not in existing:
            db.create_table(spec.name, schema=spec.schema)


def _add_fix_memory_tables(db: Any) -> None:
    """v2 -> v3: the tables of fix memory (check runs, findings, fix attempts).

    They start empty; no existing table is touched, so every commit, vector
    and click is kept. Creating only the tables that are missing makes a
    second run (after a crash before the version file) a no-op.
    """
    existing = set(db.list_tables().tables)
    for name in ("check_runs", "findings", "fix_attempts"):
        spec = TABLES[name]
        if spec.name not in existing:
            db.create_table(spec.name, schema=spec.schema)


def _add_patterns_table(db: Any) -> None:
    """v3 -> v4: the ``patterns`` table, empty until the first ``hookwise sync --pull``.

    No other table is touched; creating it only when missing makes a re-run a no-op.
    """
    spec = TABLES["patterns"]
    if spec.name not in set(db.list_tables().tables):
        db.create_table(spec.name, schema=spec.schema)


MIGRATIONS: dict[int, Migration] = {
    1: _add_search_tables,
    2: _add_fix_memory_tables,
    3: _add_patterns_table,
}
