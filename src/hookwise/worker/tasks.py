"""What the worker serves and does when idle: one explicit table, built when asked.

Importing a capability registers nothing; the worker calls ``build`` when
it starts (``Worker.run``), so a test or a command that imports
``hookwise.search`` gets no handlers, threads or caches with it.

- ``Tables.handlers``: socket operation name -> ``handler(worker, args)``.
- ``Tables.idle_tasks``: ``task(worker, store) -> bool`` run in order for
  each store whose spool is empty; True when it did something, so the
  worker stays awake while there is more. Maintenance runs first
  (``worker.maintenance``: ~1 ms when it has nothing to do), so the rows it
  re-embeds are counted as its own before the other tasks fill vectors;
  then the conflict checks backfill left pending (``worker.conflicts``:
  it only starts a niced child, and reads one table version when there is
  nothing to check); then embedding, so a fresh
  search engine reads the new vectors at once; suggest's task stores the
  fix attempts' vectors, then keeps its index of them warm; the rule prior
  that ``hookwise check`` reads without a worker follows fix memory
  (``hookwise.worker.prior``); configured checks run again after a commit
  (``worker.recheck``), learning from history (``worker.learning``) and
  the scheduled sync (``worker.sync``) last, each in a child of its own.
- ``Tables.close``: what the worker calls when it stops.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookwise.fixes.service import SuggestService
    from hookwise.search.service import SearchService
    from hookwise.store.db import Store
    from hookwise.worker.loop import Worker

Handler = Callable[[Any, dict[str, Any]], Any]
IdleTask = Callable[["Worker", "Store"], bool]


def ping(worker: Any, args: dict[str, Any]) -> dict[str, Any]:
    return {"pid": os.getpid()}


def _handler(serve: Callable[[dict[str, Any]], Any]) -> Handler:
    """A handler for an operation that needs only its arguments, not the worker."""

    @functools.wraps(serve)
    def handle(worker: Any, args: dict[str, Any]) -> Any:
        return serve(args)

    return handle


def _idle_task(task: Callable[[Store], bool]) -> IdleTask:
    """An idle task that needs only the store, not the worker."""

    @functools.wraps(task)
    def run(worker: Worker, store: Store) -> bool:
        return task(store)

    return run


@dataclass(frozen=True)
class Tables:
    handlers: dict[str, Handler]
    idle_tasks: tuple[IdleTask, ...]
    search: SearchService
    suggest: SuggestService

    def close(self) -> None:
        self.search.close()


def build() -> Tables:
    """The worker's tables, and the services behind them (built now, not at import)."""
    from hookwise.fixes.service import SuggestService
    from hookwise.history.backfill import serve_backfill
    from hookwise.insights.answers import serve_insights
    from hookwise.search.service import SearchService
    from hookwise.worker.conflicts import ConflictChecker
    from hookwise.worker.learning import Learner
    from hookwise.worker.maintenance import Maintenance
    from hookwise.worker.prior import write_rule_prior
    from hookwise.worker.recheck import Rechecker
    from hookwise.worker.sync import Syncer

    search = SearchService()
    # One embedder per store for both: the attempts' vectors must be the commits' kind.
    suggest = SuggestService(search.embedders)
    learner = Learner()
    maintenance = Maintenance(search.embedders)
    return Tables(
        handlers={
            "ping": ping,
            "search": _handler(search.serve_search),
            "click": _handler(search.serve_click),
            "suggest": _handler(suggest.serve_suggest),
            "insights": _handler(serve_insights),
            "backfill": _handler(serve_backfill),
        },
        idle_tasks=(
            _idle_task(maintenance.when_idle),
            ConflictChecker().when_idle,
            _idle_task(search.embed_when_idle),
            _idle_task(search.when_idle),
            _idle_task(suggest.when_idle),
            _idle_task(write_rule_prior),
            Rechecker().when_idle,
            learner.when_idle,
            Syncer().when_idle,
        ),
        search=search,
        suggest=suggest,
    )
