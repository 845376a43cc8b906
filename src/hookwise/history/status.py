"""``hookwise status``: is capture working, and what does the store hold?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hookwise.capture.events import list_spool
from hookwise.capture.hooklog import last_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.wake import worker_pid
from hookwise.install.hooks import hook_status
from hookwise.store import schema
from hookwise.store.db import Store


@dataclass(frozen=True)
class Status:
    repository: str
    store: str
    hooks: dict[str, Any]
    worker_running: bool
    worker_pid: int | None
    spool_backlog: int
    corrupt_events: int
    rows: dict[str, int] = field(default_factory=dict)
    store_bytes: int = 0
    last_event_time: int | None = None
    last_error: str | None = None
    schema_version: int | None = None
    # {"id", "waiting", "description"}: the store's embedder, how many commits
    # wait for a vector from it, and how to get a better one.
    embedder: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def status(paths: RepoPaths) -> Status:
    backlog = sum(1 for f in list_spool(paths.spool_dir) if not f.path.name.startswith("."))
    corrupt = len(list(paths.corrupt_dir.iterdir())) if paths.corrupt_dir.is_dir() else 0
    rows: dict[str, int] = {}
    size = 0
    last_time: int | None = None
    version: int | None = None
    embedder: dict[str, Any] | None = None
    if paths.store_dir.is_dir():
        store = Store.open(paths, create=False)
        version = store.schema_version()
        rows = {name: store.count(name) for name in schema.TABLES}
        size = store.size_bytes()
        times = [
            v
            for v in (
                _max(store, "commits", "captured_at", "source = 'hook'"),
                _max(store, "ref_events", "time", "source = 'hook'"),
            )
            if v is not None
        ]
        last_time = max(times) if times else None
        embedder = _embedder(store)
    pid = worker_pid()
    return Status(
        repository=str(paths.worktree or paths.common_dir),
        store=str(paths.store_dir),
        hooks=hook_status(paths).to_dict(),
        worker_running=pid is not None,
        worker_pid=pid,
        spool_backlog=backlog,
        corrupt_events=corrupt,
        rows=rows,
        store_bytes=size,
        last_event_time=last_time,
        last_error=last_error(paths.hookwise_dir),
        schema_version=version,
        embedder=embedder,
    )


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
    }


def _max(store: Store, table: str, column: str, where: str) -> int | None:
    if not store.count(table):
        return None
    values = store.read(table, where, columns=[column]).column(column).to_pylist()
    present = [v for v in values if v is not None]
    return max(present) if present else None
