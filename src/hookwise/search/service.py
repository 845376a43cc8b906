"""What the worker serves for search, and keeps warm between requests.

The worker builds one ``SearchService`` when it starts
(``hookwise.worker.tasks.build``) and closes it when it stops; nothing of
it exists before. It keeps, per store: the open store, a ``SearchEngine``
with what it last read, and the table versions at which it last checked
the indexes; and, shared by every store, the embedders (one MiniLM for
embedding and for queries alike) and two small thread pools.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hookwise import memory
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.errors import HookwiseError
from hookwise.search import matrix
from hookwise.search.clicks import record_click
from hookwise.search.engine import SearchEngine
from hookwise.search.index_build import build_in_child
from hookwise.search.lexical import ensure_text_index
from hookwise.search.request import SearchRequest
from hookwise.search.state import Embedders, read_state
from hookwise.search.vectors import Embedding
from hookwise.store import vectors as stored
from hookwise.store.db import Store

# Text searches run alongside query embedding; four let two concurrent
# searches each overlap both halves on two cores with room to spare.
TEXT_THREADS = 4
# Queries are embedded on long-lived threads (see ``serve_search``); two
# match the cores of the machines measured.
QUERY_THREADS = 2


class SearchService:
    """The worker's search: socket handlers, idle tasks, and what they keep."""

    def __init__(self) -> None:
        self.embedders = Embedders()
        self.embedding = Embedding(self.embedders)
        self._lock = threading.Lock()
        self._engines: dict[Path, SearchEngine] = {}
        self._stores: dict[Path, Store] = {}
        # Threads start on the first search, not here.
        self._text_pool = ThreadPoolExecutor(TEXT_THREADS, "hookwise-text-search")
        self._query_pool = ThreadPoolExecutor(QUERY_THREADS, "hookwise-search")
        self._text_index_checked: dict[Path, int] = {}
        self._vector_index_checked: dict[Path, int] = {}
        self._vector_index_builds: dict[Path, threading.Thread] = {}

    def engine(self, paths: RepoPaths) -> SearchEngine:
        """The engine of the store in ``paths`` (built on its first search)."""
        with self._lock:
            engine = self._engines.get(paths.hookwise_dir)
            if engine is None:
                engine = SearchEngine(paths, embedders=self.embedders, text_pool=self._text_pool)
                self._engines[paths.hookwise_dir] = engine
            return engine

    def _store(self, hookwise_dir: Path) -> Store:
        """The open store for ``hookwise_dir`` (requests come from many threads)."""
        with self._lock:
            store = self._stores.get(hookwise_dir)
            if store is None:
                paths = RepoPaths.for_hookwise_dir(hookwise_dir)
                store = self._stores[hookwise_dir] = Store.open(paths, create=False)
            return store

    # -- socket operations ----------------------------------------------------------

    def serve_search(self, args: dict[str, Any]) -> dict[str, Any]:
        """The ``search`` op: ``{"hookwise_dir", "query", "limit", "mode", "filters"}``.

        A handled error comes back as ``{"error", "kind"}`` so the command can
        show it as its own one-line message.
        """
        try:
            request = SearchRequest.from_args(args)
            store = self._store(Path(str(args["hookwise_dir"])))
            # The socket server starts a thread per request; the model is run
            # from long-lived threads instead, since torch sets up its
            # per-thread state on a thread's first use (measured: ~10 ms a request).
            answer = self._query_pool.submit(self.engine(store.paths).search, store, request)
            return answer.result().to_json()
        except HookwiseError as exc:
            return {"error": str(exc), "kind": type(exc).__name__}

    def serve_click(self, args: dict[str, Any]) -> dict[str, Any]:
        """The ``click`` op: ``{"hookwise_dir", "query", "sha"}`` (from `hookwise show`)."""
        try:
            store = self._store(Path(str(args["hookwise_dir"])))
            record_click(store, str(args["query"]), str(args["sha"]))
            return {"recorded": True}
        except HookwiseError as exc:
            return {"error": str(exc), "kind": type(exc).__name__}

    # -- idle tasks ------------------------------------------------------------------

    def embed_when_idle(self, store: Store) -> bool:
        """Idle task: one batch of the commits that wait for a vector.

        The batch's temporaries (its rows, tokens, activations and LanceDB's
        write buffers) go back to the system after it: a worker that
        embedded 1,024 commits of an 82k-commit store otherwise kept ~40 MB
        more of them resident each round (``bench/search_latency.py``).
        """
        embedded = self.embedding.when_idle(store)
        if embedded:
            memory.trim()
        return embedded

    def when_idle(self, store: Store) -> bool:
        """Idle task: keep the indexes and a warm engine up to date.

        Cheap when nothing changed: it runs every time the worker is idle.
        """
        key = store.paths.hookwise_dir
        built = False
        if self._text_index_checked.get(key) != store.version("commits"):
            built = ensure_text_index(store)
            self._text_index_checked[key] = store.version("commits")
        vector_version = store.version(stored.VECTOR_TABLE)
        if self._vector_index_checked.get(key) != vector_version:
            self._vector_index_checked[key] = vector_version
            self.ensure_vector_index(store)
        engine = self._engines.get(key)
        if engine is not None and engine.warm:
            engine.refresh(store)  # so the next search does not pay for reading
        return built

    def ensure_vector_index(self, store: Store) -> threading.Thread | None:
        """Start building the vector index in the background once the store is big enough.

        A thread waits on the child process that builds it
        (``hookwise.search.index_build``) while the worker goes on ingesting
        and answering, without the index meanwhile. Returns the thread when
        one was started.
        """
        key = store.paths.hookwise_dir
        running = self._vector_index_builds.get(key)
        if running is not None and running.is_alive():
            return None
        state = read_state(store.paths)
        if state is None or stored.has_index(store):
            return None
        if stored.count(store, state.embedder_id) < matrix.VECTOR_INDEX_MIN_ROWS:
            return None

        def build() -> None:
            try:
                build_in_child(key)
            except Exception as exc:  # logged; the next change of the store retries
                log_error(
                    key, f"worker: building the vector index failed: {type(exc).__name__}: {exc}"
                )
                self._vector_index_checked.pop(key, None)

        thread = threading.Thread(target=build, name="hookwise-vector-index", daemon=True)
        self._vector_index_builds[key] = thread
        thread.start()
        return thread

    def close(self) -> None:
        """Stop the thread pools (a build of the vector index finishes on its own)."""
        self._query_pool.shutdown(wait=True, cancel_futures=True)
        self._text_pool.shutdown(wait=True, cancel_futures=True)
