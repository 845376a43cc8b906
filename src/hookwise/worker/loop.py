"""The worker's loop: every registered store drained, then idle work, until idle.

Each round drains the spool of every registered store (``hookwise.worker.drain``);
only when no store had anything to ingest does the worker run its idle tasks
(``hookwise.worker.tasks``: maintenance, embedding, the search index) one
store at a time. It compacts a store's tables every few batches, so thousands
of small batches do not slow reads (``hookwise.worker.maintenance`` records
it), and stops after ``idle_seconds`` without work or requests.

One broken repository never stops the others (DESIGN §2): every
per-repository step (listing its spool, opening its store, ingest,
compaction, idle tasks) is guarded, and a failure is logged in that
repository's log and backs off only what failed there, for
``FAILURE_BACKOFF_SECONDS``, so it is logged once per back-off, not once per
poll. A spool that cannot be listed (a file in its place) or a failed ingest
backs off the store (idle work included, as it reads what ingest writes); a
failed idle task backs off idle work only, so the events a hook spools next
are still ingested at once. When the back-off runs out the repository is
tried again: mended, it is drained.
"""

from __future__ import annotations

import time
from pathlib import Path

from hookwise.capture import registry
from hookwise.capture.events import list_spool, unreadable_spool
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.settings import Settings
from hookwise.errors import StoreLockedError
from hookwise.store.db import Store
from hookwise.worker.drain import drain
from hookwise.worker.tasks import IdleTask

# Long enough that a store failing on every attempt writes one log line per
# 30 s instead of one per poll (every 0.25 s); short enough that a mended store
# (a full disk cleared) is served again soon.
FAILURE_BACKOFF_SECONDS = 30.0


def task_name(task: IdleTask) -> str:
    """How the log names an idle task: its function's name."""
    return getattr(task, "__qualname__", None) or repr(task)


class Worker:
    def __init__(self, *, idle_seconds: float, poll_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.stores: dict[Path, Store] = {}
        self.batches: dict[Path, int] = {}
        # Until when a store is left alone after its ingest failed ...
        self.backoff_until: dict[Path, float] = {}
        # ... and until when its idle work waits after an idle task failed.
        self.idle_backoff_until: dict[Path, float] = {}
        self.stopping = False
        # Work for a store whose spool is empty (hookwise.worker.tasks); set by run().
        self.idle_tasks: tuple[IdleTask, ...] = ()

    def _store(self, hookwise_dir: Path) -> Store:
        if hookwise_dir not in self.stores:
            self.stores[hookwise_dir] = Store.open(RepoPaths.for_hookwise_dir(hookwise_dir))
        return self.stores[hookwise_dir]

    def _backing_off(self, until: dict[Path, float], hookwise_dir: Path) -> bool:
        return time.monotonic() < until.get(hookwise_dir, 0.0)

    def drain_one(self, hookwise_dir: Path) -> bool:
        """Drain one store; True when it ingested anything."""
        if self._backing_off(self.backoff_until, hookwise_dir):
            return False
        paths = RepoPaths.for_hookwise_dir(hookwise_dir)
        try:
            spooled = list_spool(paths.spool_dir)
        except OSError as exc:
            self._failed(
                hookwise_dir,
                f"cannot read the spool, this repository is skipped and retried in "
                f"{FAILURE_BACKOFF_SECONDS:.0f}s: {unreadable_spool(paths.spool_dir, exc)}",
                exc,
            )
            return False
        if not spooled:
            return False
        try:
            result = drain(self._store(hookwise_dir), lock_timeout=1.0)
        except StoreLockedError:
            return False  # a backfill holds it; try again on the next round
        except Exception as exc:
            self._failed(
                hookwise_dir,
                f"ingest failed, events stay spooled and are retried in "
                f"{FAILURE_BACKOFF_SECONDS:.0f}s",
                exc,
            )
            return False
        if result.events:
            n = self.batches.get(hookwise_dir, 0) + 1
            self.batches[hookwise_dir] = n
            if n % Settings().compact_every == 0:
                self._compact(hookwise_dir)
        return bool(result.events or result.check_runs or result.corrupt)

    def idle_work(self, hookwise_dir: Path) -> bool:
        """Run the idle tasks for one store; True when one of them did something."""
        if not self.idle_tasks:
            return False
        if self._backing_off(self.backoff_until, hookwise_dir) or self._backing_off(
            self.idle_backoff_until, hookwise_dir
        ):
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
                self._idle_task_failed(hookwise_dir, task, exc)
                return False
        return busy

    def _compact(self, hookwise_dir: Path) -> None:
        # The maintenance job's compaction, so status shows it and the idle
        # job does not compact the same versions again.
        from hookwise.worker.maintenance import compact_store

        try:
            compact_store(self._store(hookwise_dir))
        except StoreLockedError:
            pass  # a backfill holds it; the idle job compacts later
        except Exception as exc:
            log_error(hookwise_dir, f"worker: compaction failed: {type(exc).__name__}: {exc}")

    def _failed(self, hookwise_dir: Path, what: str, exc: BaseException) -> None:
        """Back the store off and say so in its log, once per back-off."""
        # The store handle may be what broke: open it afresh next time.
        self.stores.pop(hookwise_dir, None)
        self.backoff_until[hookwise_dir] = time.monotonic() + FAILURE_BACKOFF_SECONDS
        log_error(hookwise_dir, f"worker: {what}: {type(exc).__name__}: {exc}")

    def _idle_task_failed(self, hookwise_dir: Path, task: IdleTask, exc: BaseException) -> None:
        self.idle_backoff_until[hookwise_dir] = time.monotonic() + FAILURE_BACKOFF_SECONDS
        log_error(
            hookwise_dir,
            f"worker: idle task {task_name(task)} failed, idle work is retried in "
            f"{FAILURE_BACKOFF_SECONDS:.0f}s and ingest goes on: {type(exc).__name__}: {exc}",
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
