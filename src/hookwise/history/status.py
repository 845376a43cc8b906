"""``hookwise status``: is capture working, and what does the store hold?

It only reads (the store is opened ``readonly``), so it works on a store a
user cannot write, and it reports what it cannot read rather than failing:
a table deleted by hand is *missing*, one whose manifest or data cannot be
decoded is *damaged*, and each gets a line in ``problems`` that says what to
do. Every other figure is still given.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hookwise.capture.events import list_spool, unreadable_spool
from hookwise.capture.hooklog import last_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.wake import worker_pid
from hookwise.errors import (
    DamagedTableError,
    MigrationNeededError,
    StoreError,
    TableMissingError,
)
from hookwise.install.hooks import hook_status
from hookwise.store import schema
from hookwise.store.db import Store

#: The worker's record of its maintenance jobs (``hookwise.worker.maintenance``),
#: kept with the store as ``backfill.json`` is, so a store moved aside takes it along.
MAINTENANCE_FILE = "maintenance.json"
#: The jobs, in the order they are shown.
MAINTENANCE_JOBS = ("compaction", "retention", "reembedding")


@dataclass(frozen=True)
class Status:
    repository: str
    store: str
    hooks: dict[str, Any]
    worker_running: bool
    worker_pid: int | None
    spool_backlog: int
    # Events the worker set aside in spool-corrupt/: unreadable, oversized,
    # or failing ingest while the rest of their batch went in (the log says why).
    corrupt_events: int
    # Rows of each table that could be read; a missing or damaged table is
    # not here (it is not "0 rows") but in missing_tables / damaged_tables.
    rows: dict[str, int] = field(default_factory=dict)
    store_bytes: int = 0
    last_event_time: int | None = None
    last_error: str | None = None
    # The last error is behind us: events captured after it were stored, and
    # none waits (it is still shown, marked resolved, until a newer one).
    last_error_resolved: bool = False
    schema_version: int | None = None
    # {"id", "waiting", "description", "moving"}: the store's embedder, how many
    # commits wait for a vector from it, how to get a better one, and how far
    # the move to the current recipe's vectors has come (None: not moving).
    embedder: dict[str, Any] | None = None
    missing_tables: list[str] = field(default_factory=list)
    damaged_tables: list[str] = field(default_factory=list)
    # Why the spool cannot be listed (a file in its place): the worker skips
    # this repository until it can.
    spool_error: str | None = None
    # One line per thing wrong with capture or the store, each saying what to do.
    problems: list[str] = field(default_factory=list)
    # Per maintenance job: {"last_run", "last_checked" (epoch seconds, None
    # before the first), "did": {figure: count}} of the last run that did something.
    maintenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    # {"pending", "rate", "running"}: merges whose conflict check the worker
    # has still to do (backfill leaves a big history's to it), and how fast
    # the last or current run answered them, in merges/s (None before one).
    conflict_checks: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _StoreFigures:
    rows: dict[str, int] = field(default_factory=dict)
    size: int = 0
    last_time: int | None = None
    version: int | None = None
    embedder: dict[str, Any] | None = None
    conflict_checks: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def status(paths: RepoPaths) -> Status:
    problems: list[str] = []
    spool_error = None
    try:
        backlog = len(list_spool(paths.spool_dir))
    except OSError as exc:
        # The worker skips this repository until it is mended (hookwise.worker.loop).
        backlog = 0
        spool_error = unreadable_spool(paths.spool_dir, exc)
        problems.append(f"nothing is captured here: {spool_error}")
    corrupt = len(list(paths.corrupt_dir.iterdir())) if paths.corrupt_dir.is_dir() else 0
    if corrupt:
        problems.append(
            f"{corrupt} spool event{' was' if corrupt == 1 else 's were'} set aside in "
            f"{paths.corrupt_dir} as unreadable ({paths.log_path} says why); "
            "read them, then delete them"
        )
    figures = _store_figures(paths) if paths.store_dir.is_dir() else _StoreFigures()
    pid = worker_pid()
    error = last_error(paths.hookwise_dir)
    return Status(
        repository=str(paths.worktree or paths.common_dir),
        store=str(paths.store_dir),
        hooks=hook_status(paths).to_dict(),
        worker_running=pid is not None,
        worker_pid=pid,
        spool_backlog=backlog,
        corrupt_events=corrupt,
        rows=figures.rows,
        store_bytes=figures.size,
        last_event_time=figures.last_time,
        last_error=error,
        last_error_resolved=_resolved(error, figures.last_time, backlog),
        schema_version=figures.version,
        embedder=figures.embedder,
        missing_tables=figures.missing,
        damaged_tables=figures.damaged,
        spool_error=spool_error,
        problems=problems + figures.problems,
        maintenance=maintenance_summary(paths),
        conflict_checks=figures.conflict_checks,
    )


def maintenance_path(paths: RepoPaths) -> Path:
    return paths.store_dir / MAINTENANCE_FILE


def read_maintenance(paths: RepoPaths) -> dict[str, dict[str, Any]]:
    """The worker's maintenance record; empty when there is none (or it cannot be
    read: it is rewritten whole by the next pass, so nothing is lost)."""
    try:
        data = json.loads(maintenance_path(paths).read_text())
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {job: entry for job, entry in data.items() if isinstance(entry, dict)}


def maintenance_summary(paths: RepoPaths) -> dict[str, dict[str, Any]]:
    """What ``status`` shows of each job: when it last ran and looked, and what it did."""
    record = read_maintenance(paths)
    return {
        job: {
            "last_run": record.get(job, {}).get("at"),
            "last_checked": record.get(job, {}).get("checked_at"),
            "did": dict(record.get(job, {}).get("did", {})),
        }
        for job in MAINTENANCE_JOBS
    }


def _store_figures(paths: RepoPaths) -> _StoreFigures:
    figures = _StoreFigures()
    try:
        store = Store.open(paths, readonly=True)
    except MigrationNeededError as exc:
        figures.version = exc.version
        figures.problems.append(str(exc))
        return figures
    figures.version = store.schema_version()
    figures.size = store.size_bytes()
    for name in schema.TABLES:
        try:
            figures.rows[name] = store.count(name)
        except TableMissingError as exc:
            figures.missing.append(exc.table)
            figures.problems.append(str(exc))
        except DamagedTableError as exc:
            figures.damaged.append(exc.table)
            figures.problems.append(str(exc))
    readable = set(figures.rows)
    times = [
        v
        for table, column in (("commits", "captured_at"), ("ref_events", "time"))
        if table in readable and (v := _max(store, table, column, "source = 'hook'")) is not None
    ]
    figures.last_time = max(times) if times else None
    if "commits" in readable:
        figures.conflict_checks = _conflict_checks(store)
    if {"commits", "commit_vectors"} <= readable:
        try:
            figures.embedder = _embedder(store)
        except StoreError as exc:
            figures.problems.append(str(exc))
    return figures


def _conflict_checks(store: Store) -> dict[str, Any]:
    from hookwise.history.conflicts import pending_count, read_progress

    progress = read_progress(store.paths)
    pending = pending_count(store)
    return {
        "pending": pending,
        "rate": progress.get("rate"),
        "running": bool(pending and progress and not progress.get("done")),
    }


def _embedder(store: Store) -> dict[str, Any]:
    from hookwise.embed import describe_embedder
    from hookwise.search.state import read_state
    from hookwise.search.vectors import waiting_count

    state = read_state(store.paths)
    embedder_id = state.embedder_id if state else None
    return {
        "id": embedder_id,
        "waiting": waiting_count(store),
        "description": describe_embedder(embedder_id),
        "moving": _move(store, embedder_id),
    }


def _move(store: Store, embedder_id: str | None) -> dict[str, Any] | None:
    """How far the worker has moved a store of an older recipe's vectors to the current
    one (``hookwise.search.recipe``): ``{"to", "done", "of"}``, None when it is current."""
    from hookwise.search.corpus import SEARCHABLE
    from hookwise.search.recipe import model_id, vector_id
    from hookwise.store import vectors as stored

    if embedder_id is None:
        return None
    target = vector_id(model_id(embedder_id))
    if target == embedder_id:
        return None
    return {
        "to": target,
        "done": stored.count(store, target),
        "of": store.count("commits", SEARCHABLE),
    }


def _max(store: Store, table: str, column: str, where: str) -> int | None:
    if not store.count(table):
        return None
    values = store.read(table, where, columns=[column]).column(column).to_pylist()
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _resolved(error: str | None, last_event: int | None, backlog: int) -> bool:
    """Whether capture worked after ``error``: a later event was stored and none waits."""
    if error is None or last_event is None or backlog:
        return False
    stamp = error.split(" ", 1)[0]
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return False  # not a line hookwise wrote: say nothing about it
    return last_event > when
