"""The worker's maintenance: compaction, retention and re-embedding, each cheap when idle.

Three jobs run as one idle task (``Maintenance.when_idle``, first in
``hookwise.worker.tasks``), each on every store whose spool is empty:

- ``compaction``: folds the small fragments of every table that changed
  since the last compaction and prunes versions older than
  ``HOOKWISE_KEEP_VERSIONS_HOURS``, at most once per
  ``HOOKWISE_MAINTENANCE_MINUTES``; versions a pass had to keep (too young)
  are pruned by the first pass after they are old enough. The worker's
  compaction every ``HOOKWISE_COMPACT_EVERY`` batches and at exit is this
  job too (``compact_store``).
- ``retention``: deletes check runs older than ``HOOKWISE_CHECK_RUNS_DAYS``
  with their findings (``store.upkeep.delete_check_runs_before``), 2,000
  runs a round; fix attempts exist nowhere else and are never deleted.
- ``reembedding``: gives rows whose vector another embedder made (what a
  reindex or a change of model leaves behind) a vector from the store's
  active embedder, ``HOOKWISE_EMBED_BATCH`` rows a round: commit vectors
  (the other embedder's row is then deleted), fix attempts and findings.

Each job first asks whether there is anything to do from what it recorded
last time (table versions, the oldest check run, the embedder state file's
time) and returns at once when not: an idle pass over a store of 10k
commits costs 0.8 ms median, reading table versions only (docs/maintenance.md).
What each job last did is kept in ``<store>/maintenance.json``
(``hookwise.history.status.MAINTENANCE_FILE``), written atomically, so
``hookwise status`` shows it and a restarted worker does not redo it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from hookwise.capture.jsonfile import write_object
from hookwise.capture.settings import Settings
from hookwise.embed import Embedder
from hookwise.errors import HookwiseError, StoreLockedError
from hookwise.fixes.recommend import finding_text
from hookwise.history.status import maintenance_path, read_maintenance
from hookwise.search.recipe import vector_id
from hookwise.search.state import Embedders, state_mtime, store_embedder
from hookwise.search.vectors import LOCK_FILE, batch_size, embed_commits
from hookwise.store import fixes as table
from hookwise.store import schema, upkeep
from hookwise.store import vectors as stored
from hookwise.store.db import Store, exclusive

Clock = Callable[[], float]
Record = dict[str, dict[str, Any]]

#: What each job reports, in the order ``hookwise status`` shows them.
FIGURES = {
    "compaction": ("tables", "fragments_removed", "versions_pruned"),
    "retention": ("runs_deleted", "findings_deleted"),
    "reembedding": ("commit_vectors", "fix_attempts", "findings"),
}
DAY = 86_400


def _versions(store: Store) -> dict[str, int]:
    return {name: store.version(name) for name in schema.TABLES}


def _vector_versions(store: Store) -> list[float]:
    """What re-embedding depends on: the tables with vectors, and the active embedder."""
    tables = (stored.VECTOR_TABLE, "fix_attempts", "findings")
    return [*(store.version(name) for name in tables), state_mtime(store.paths)]


def write_record(store: Store, record: Record) -> None:
    """Replace the record at once (a reader never sees half of it)."""
    write_object(maintenance_path(store.paths), dict(record), indent=1)


def _finish(
    record: Record,
    job: str,
    did: dict[str, int],
    state: dict[str, Any],
    now: float,
    *,
    more: bool = False,
) -> bool:
    """Note a pass of ``job`` in ``record``; True when it did something.

    Retention and re-embedding work in bounded rounds; ``more``: this round
    was full, so the next continues the sweep and their figures add up (the
    record says what the whole sweep did, not its last round).
    """
    entry = record.get(job, {})
    worked = any(did.values())
    if worked:
        if entry.get("more"):
            did = {k: int(entry["did"].get(k, 0)) + v for k, v in did.items()}
        entry.update(at=int(now), did=did)
    elif "at" not in entry:
        entry.update(at=int(now), did=did)  # the first look: it ran, and found nothing
    entry.update(checked_at=int(now), more=worked and more, state=state)
    record[job] = entry
    return worked


def compact_store(
    store: Store,
    record: Record | None = None,
    *,
    now: float | None = None,
    lock_timeout: float = 1.0,
) -> bool:
    """Compact and prune the tables that changed since the last compaction (or whose
    versions it had to keep); True when it did. The caller decides when it is due."""
    now = time.time() if now is None else now
    record = read_maintenance(store.paths) if record is None else record
    settings = Settings()
    keep = timedelta(hours=settings.keep_versions_hours)
    entry = record.get("compaction", {})
    seen: dict[str, int] = entry.get("state", {}).get("versions", {})
    kept: dict[str, int] = entry.get("state", {}).get("kept", {})
    before = _versions(store)
    old_enough = now - int(entry.get("at", 0)) >= keep.total_seconds()
    tables = [
        name
        for name in schema.TABLES
        if before[name] != seen.get(name) or (kept.get(name, 1) > 1 and old_enough)
    ]
    if not tables:
        return False
    did = dict.fromkeys(FIGURES["compaction"], 0)
    with store.lock(timeout=lock_timeout):
        for name in tables:
            figures = store.compact_table(name, prune_older_than=keep)
            made = store.version(name) - before[name]  # compaction writes versions too
            did["fragments_removed"] += figures["fragments_before"] - figures["fragments_after"]
            did["versions_pruned"] += max(
                0, figures["versions_before"] + made - figures["versions_after"]
            )
            kept[name] = figures["versions_after"]
    did["tables"] = len(tables)
    state = {"versions": _versions(store), "kept": kept}
    _finish(record, "compaction", did, state, now)
    write_record(store, record)
    return True


class Maintenance:
    """The maintenance idle task, and what it remembers between rounds.

    The worker keeps one for its life (``hookwise.worker.tasks.build``); it
    shares the search service's embedders, so re-embedding builds no second
    model. ``clock`` is ``time.time`` except in tests that move time.
    """

    def __init__(self, embedders: Embedders | None = None, clock: Clock = time.time) -> None:
        self.embedders = embedders or Embedders()
        self.clock = clock
        # Per store: the record as last read, and the file's mtime then.
        self._records: dict[Path, tuple[int, Record]] = {}

    def record(self, store: Store) -> Record:
        """The store's record, read again only when the file changed (the worker's
        compaction every few batches writes it too): one stat a round, not a parse."""
        key = store.paths.hookwise_dir
        try:
            mtime = maintenance_path(store.paths).stat().st_mtime_ns
        except OSError:
            mtime = 0
        cached = self._records.get(key)
        if cached is None or cached[0] != mtime:
            cached = self._records[key] = (mtime, read_maintenance(store.paths))
        return cached[1]

    def when_idle(self, store: Store) -> bool:
        """Idle task: each job that has something to do does one bounded round."""
        busy = self.retention(store)
        busy |= self.reembedding(store)
        busy |= self.compaction(store)
        return busy

    # -- compaction -------------------------------------------------------------

    def compaction(self, store: Store) -> bool:
        """Compact when the interval has passed and a table changed (``compact_store``)."""
        now = self.clock()
        entry = self.record(store).get("compaction")
        interval = Settings().maintenance_minutes * 60
        if entry is not None and now - int(entry.get("at", 0)) < interval:
            return False
        try:
            return compact_store(store, self.record(store), now=now)
        except StoreLockedError:
            return False  # another writer holds it; next round

    # -- retention --------------------------------------------------------------

    def retention(self, store: Store) -> bool:
        """Delete one batch of check runs older than the retention, with their findings."""
        days = Settings().check_runs_days
        if days == 0:
            return False  # kept forever
        now = self.clock()
        cutoff = int(now - days * DAY)
        record = self.record(store)
        state = record.get("retention", {}).get("state", {})
        version = store.version("check_runs")
        oldest = state.get("oldest")
        if state.get("version") == version and (oldest is None or oldest >= cutoff):
            return False
        try:
            runs, findings = upkeep.delete_check_runs_before(store, cutoff, lock_timeout=1.0)
        except StoreLockedError:
            return False
        state = {"version": store.version("check_runs"), "oldest": upkeep.oldest_check_run(store)}
        did = {"runs_deleted": runs, "findings_deleted": findings}
        worked = _finish(record, "retention", did, state, now, more=runs == upkeep.RETENTION_BATCH)
        write_record(store, record)
        return worked

    # -- re-embedding -----------------------------------------------------------

    def reembedding(self, store: Store) -> bool:
        """Give one batch of rows with another embedder's vector the active embedder's."""
        paths = store.paths
        if not state_mtime(paths):
            return False  # no embedder chosen yet: nothing can be stale
        record = self.record(store)
        versions = _vector_versions(store)
        if record.get("reembedding", {}).get("state", {}).get("versions") == versions:
            return False
        try:
            embedder, active = store_embedder(paths, self.embedders)
        except HookwiseError:
            # The model changed under the store, its extra is gone or its state
            # file is damaged: the embedding task says so once, and
            # `hookwise reindex` mends all three.
            return False
        try:
            with exclusive(paths.hookwise_dir / LOCK_FILE, timeout=0):
                did = self._reembed(store, embedder, active.embedder_id, batch_size())
        except StoreLockedError:
            return False  # a reindex is writing vectors; they are its business
        versions = _vector_versions(store)
        # A full round may have left more: only a round that found less ends
        # the sweep, and only then may later rounds skip on the versions.
        full = sum(did.values()) == batch_size()
        state = {"versions": None if full else versions}
        worked = _finish(record, "reembedding", did, state, self.clock(), more=full)
        write_record(store, record)
        return worked

    @staticmethod
    def _reembed(store: Store, embedder: Embedder, active: str, limit: int) -> dict[str, int]:
        """Up to ``limit`` stale rows, commit vectors first (search reads them most)."""
        did = dict.fromkeys(FIGURES["reembedding"], 0)
        # A store moving to its embedder's current recipe holds the new
        # vectors beside the old until it switches (hookwise.search.vectors):
        # they are not stale, and the switch drops whatever else there is.
        moving = vector_id(embedder.id) != active
        shas = [] if moving else stored.stale_shas(store, active, limit)
        if shas:
            have = stored.shas(store, active)
            embed_commits(store, embedder, [sha for sha in shas if sha not in have], active)
            with store.lock(timeout=1.0):
                stored.drop_stale(store, active, shas)
            did["commit_vectors"] = len(shas)
            limit -= len(shas)
        finding_tables: tuple[tuple[str, Any, Any], ...] = (
            ("fix_attempts", upkeep.stale_fix_attempts, table.set_fix_attempt_vectors),
            ("findings", upkeep.stale_findings, table.set_finding_vectors),
        )
        for name, stale, set_vectors in finding_tables:
            # Findings are embedded as they are, under the embedder's own id.
            rows = stale(store, embedder.id, limit) if limit > 0 else []
            if rows:
                set_vectors(store, rows, embedder.id, _finding_vectors(embedder, rows))
                did[name] = len(rows)
                limit -= len(rows)
        return did


def _finding_vectors(
    embedder: Embedder, rows: Sequence[table.FixAttemptRow] | Sequence[table.FindingRow]
) -> pa.FixedSizeListArray:
    """The stored vectors of findings (or attempts' findings), embedded as suggest does."""
    texts = [finding_text(r["tool"], r["rule"], r["message"], r["snippet"]) for r in rows]
    return stored.to_stored(embedder.embed(texts))
