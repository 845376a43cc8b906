"""What the worker serves and does when idle: two explicit tables.

Importing a capability registers nothing; the worker builds these tables
when it starts (``Worker.run``), so a test or a command that imports
``hookwise.search`` gets no handlers, threads or caches with it.

- ``handlers()``: socket operation name -> ``handler(worker, args)``.
- ``idle_tasks()``: ``task(worker, store) -> bool`` run in order for each
  store whose spool is empty; True when it did something, so the worker
  stays awake while there is more. Embedding runs first, so a fresh search
  engine reads the new vectors at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookwise.store.db import Store
    from hookwise.worker.loop import Worker

Handler = Callable[[Any, dict[str, Any]], Any]
IdleTask = Callable[["Worker", "Store"], bool]


def ping(worker: Any, args: dict[str, Any]) -> dict[str, Any]:
    return {"pid": os.getpid()}


def handlers() -> dict[str, Handler]:
    from hookwise.search import engine

    return {"ping": ping, "search": engine.serve_search, "click": engine.serve_click}


def idle_tasks() -> tuple[IdleTask, ...]:
    from hookwise.search import engine, vectors

    return (vectors.embed_when_idle, engine.search_when_idle)
