"""The background worker: one per user, draining every registered spool.

Started detached by a hook (or any command) when none runs; a lock on
``<state>/worker.lock`` keeps it to one. It polls the spools, ingests each
store's events in batches under that store's lock, deletes spool files only
after the store committed, compacts tables every few batches so thousands of
small batches do not slow reads, and exits after an idle timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import FrameType

from hookwise import memory
from hookwise.capture import registry
from hookwise.capture.events import Event, list_spool, parse
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths, state_dir
from hookwise.capture.settings import Settings
from hookwise.errors import IncompleteEventError, SpoolError, StoreLockedError
from hookwise.store.db import Store
from hookwise.worker.ingest import ingest
from hookwise.worker.tasks import IdleTask

# A spool file without its `end` line is still being written, unless it is this old.
INCOMPLETE_GRACE_SECONDS = 30.0
FAILURE_BACKOFF_SECONDS = 30.0


@dataclass
class DrainResult:
    events: int = 0
    commits: int = 0
    corrupt: list[str] = field(default_factory=list)


def quarantine(paths: RepoPaths, path: Path, reason: str) -> None:
    """Move a spool file that cannot be ingested aside, keeping it for inspection."""
    paths.corrupt_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.replace(paths.corrupt_dir / path.name)
    log_error(paths.hookwise_dir, f"worker: {reason}; moved to {paths.corrupt_dir / path.name}")


def read_batch(
    paths: RepoPaths, limit: int | None = None
) -> tuple[list[Event], list[Path], list[str]]:
    """Parse up to ``limit`` complete events; quarantine the unreadable ones."""
    limit = limit or Settings().batch_events
    events: list[Event] = []
    files: list[Path] = []
    corrupt: list[str] = []
    now_ns = time.time_ns()
    for spooled in list_spool(paths.spool_dir):
        if len(events) >= limit:
            break
        try:
            text = spooled.path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            continue
        try:
            event = parse(spooled.path.name, text, spooled.time_ns)
        except SpoolError as exc:
            young = (now_ns - spooled.time_ns) / 1e9 < INCOMPLETE_GRACE_SECONDS
            if isinstance(exc, IncompleteEventError) and young:
                continue  # a hook is still writing it
            quarantine(paths, spooled.path, str(exc))
            corrupt.append(spooled.path.name)
            continue
        events.append(event)
        files.append(spooled.path)
    return events, files, corrupt


def drain(store: Store, *, lock_timeout: float = 30.0) -> DrainResult:
    """Ingest every complete spooled event of one store, batch by batch."""
    result = DrainResult()
    paths = store.paths
    while True:
        events, files, corrupt = read_batch(paths)
        result.corrupt += corrupt
        if not events:
            return result
        with store.lock(timeout=lock_timeout):
            ingested = ingest(store, paths, events)
        # Only now, with the batch committed, are the spool files redundant.
        for path in files:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        result.events += ingested.events
        result.commits += ingested.commits


class Worker:
    def __init__(self, *, idle_seconds: float, poll_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.stores: dict[Path, Store] = {}
        self.batches: dict[Path, int] = {}
        self.backoff_until: dict[Path, float] = {}
        self.stopping = False
        # Work for a store whose spool is empty (hookwise.worker.tasks); set by run().
        self.idle_tasks: tuple[IdleTask, ...] = ()

    def _store(self, hookwise_dir: Path) -> Store:
        if hookwise_dir not in self.stores:
            self.stores[hookwise_dir] = Store.open(RepoPaths.for_hookwise_dir(hookwise_dir))
        return self.stores[hookwise_dir]

    def drain_one(self, hookwise_dir: Path) -> bool:
        """Drain one store; True when it ingested anything."""
        if time.monotonic() < self.backoff_until.get(hookwise_dir, 0.0):
            return False
        paths = RepoPaths.for_hookwise_dir(hookwise_dir)
        if not any(not f.path.name.startswith(".") for f in list_spool(paths.spool_dir)):
            return False
        try:
            result = drain(self._store(hookwise_dir), lock_timeout=1.0)
        except StoreLockedError:
            return False  # a backfill holds it; try again on the next round
        except Exception as exc:
            self._failed(hookwise_dir, exc)
            return False
        if result.events:
            n = self.batches.get(hookwise_dir, 0) + 1
            self.batches[hookwise_dir] = n
            if n % Settings().compact_every == 0:
                self._compact(hookwise_dir)
        return bool(result.events or result.corrupt)

    def idle_work(self, hookwise_dir: Path) -> bool:
        if not self.idle_tasks or time.monotonic() < self.backoff_until.get(hookwise_dir, 0.0):
            return False
        if not (hookwise_dir / "store").is_dir():
            return False
        busy = False
        for task in self.idle_tasks:
            if self.stopping:
                break
            try:
                busy |= task(self, self._store(hookwise_dir))
            except Exception as exc:
                self._failed(hookwise_dir, exc)
                return False
        return busy

    def _compact(self, hookwise_dir: Path) -> None:
        store = self._store(hookwise_dir)
        try:
            with store.lock(timeout=1.0):
                store.optimize(prune_older_than=timedelta(hours=Settings().keep_versions_hours))
        except Exception as exc:
            log_error(hookwise_dir, f"worker: compaction failed: {type(exc).__name__}: {exc}")

    def _failed(self, hookwise_dir: Path, exc: BaseException) -> None:
        self.stores.pop(hookwise_dir, None)
        self.backoff_until[hookwise_dir] = time.monotonic() + FAILURE_BACKOFF_SECONDS
        log_error(
            hookwise_dir,
            f"worker: ingest failed, events stay spooled and are retried in "
            f"{FAILURE_BACKOFF_SECONDS:.0f}s: {type(exc).__name__}: {exc}",
        )

    def run(self) -> None:
        from hookwise.worker import tasks
        from hookwise.worker.server import RpcServer

        tables = tasks.build()
        self.idle_tasks = tables.idle_tasks
        server = RpcServer(self, tables.handlers)
        last_activity = time.monotonic()
        try:
            while not self.stopping:
                busy = False
                for hookwise_dir in registry.registered():
                    if self.stopping:
                        break
                    busy |= self.drain_one(hookwise_dir)
                if not busy:
                    for hookwise_dir in registry.registered():
                        busy |= self.idle_work(hookwise_dir)
                now = time.monotonic()
                if busy:
                    last_activity = now
                last_activity = max(last_activity, server.last_request)
                if not busy and now - last_activity >= self.idle_seconds:
                    break
                if not busy:
                    time.sleep(self.poll_seconds)
        finally:
            server.close()
            tables.close()
        for hookwise_dir in list(self.stores):
            if self.batches.get(hookwise_dir):
                self._compact(hookwise_dir)


def _daemonize() -> None:
    """Leave the hook's process group and session; the first process exits at once."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)


def run_worker(
    *,
    register: Path | None = None,
    detach: bool = False,
    idle_seconds: float | None = None,
) -> int:
    """Run the worker until idle; 0 also when another worker already runs."""
    settings = Settings()  # a bad setting stops it before it takes the lock
    if register is not None:
        registry.register(register)
    if detach and not os.environ.get("HOOKWISE_DETACHED"):
        _daemonize()  # not started through `python -m hookwise`, which already did
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(directory / "worker.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock_fd)
        return 0  # one worker per user: the running one will see this store
    pid_file = directory / "worker.pid"
    tmp = pid_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(f"{os.getpid()}\n")
    tmp.replace(pid_file)
    memory.use_system_allocator()
    # Embedders read their thread count from the environment when they embed;
    # the worker process embeds in the background, with its own default.
    os.environ.setdefault("HOOKWISE_EMBED_THREADS", str(settings.worker_embed_threads))
    worker = Worker(
        idle_seconds=settings.worker_idle_seconds if idle_seconds is None else idle_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        worker.run()
    finally:
        with contextlib.suppress(OSError, ValueError):
            if int(pid_file.read_text().split()[0]) == os.getpid():
                pid_file.unlink()
        os.close(lock_fd)
    return 0


def drain_now(paths: RepoPaths) -> DrainResult:
    """Ingest one repository's spool in this process (``hookwise worker --once``)."""
    return drain(Store.open(paths))
