"""The warm worker's ``suggest``: an index per repository, query vectors remembered, a deadline.

``SuggestService`` keeps each repository's ``AttemptIndex`` until the
``fix_attempts`` table changes (the idle task reads it again), the vectors
of the finding texts it was asked about (a check run's findings are asked
about again at every commit while they stay open), and fills the attempts'
stored vectors when idle.

**The deadline.** ``hookwise check`` asks at every failing commit and waits
at most 300 ms, inside a budget of 50 ms for everything it adds (DESIGN
§6), while MiniLM takes 100 ms and more to embed 20 new finding texts on
two cores. So a request may carry ``deadline_ms``: the time the answer may
spend on model work. Findings whose vectors are remembered are answered in
full; the others are embedded at once only when the embedder's last
measured pace says they fit in half the deadline (the hashing embedder's
always do), and otherwise are answered from their rule's attempts alone
(the exact-rule prior), marked ``partial``, and embedded in a thread right
after the answer, so the next check, or ``hookwise suggest``, answers them
in full. Under a deadline no attempt is embedded either: an index read for
the first time leaves the attempts without a stored vector to the prior
until the idle task stores theirs, and an index read before is used while
the idle task reads it again. Without a deadline (``hookwise suggest``)
everything is embedded and nothing is partial.

**Online A/B.** A repository whose configuration names two arms
(``[tool.hookwise.ab]``, docs/online-ab.md) has each finding answered with
one arm's ``RecommendConfig``: the arm ``arm_of`` its fingerprint gives,
the same for the same finding at every check, and the answer says which.
The index, and so the calibration of ``confidence``, is the default
configuration's for both arms: it costs seconds to build at 100k attempts,
and an arm that changes how votes are counted is judged by what developers
accept, not by its confidence figures.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from hookwise.blas import blas_threads
from hookwise.capture.locations import RepoPaths
from hookwise.checks.config import load_recommender
from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import fingerprint
from hookwise.checks.locate import OWN_CONFIG, PYPROJECT
from hookwise.embed import Embedder
from hookwise.errors import CheckConfigError, HookwiseError, StoreLockedError, UsageError
from hookwise.fixes.arms import Arm, arm_configs, arm_of
from hookwise.fixes.index import AttemptIndex
from hookwise.fixes.partition import FloatMatrix
from hookwise.fixes.pulled import Pulled, load_pulled, with_pulled
from hookwise.fixes.recommend import RecommendConfig, finding_text
from hookwise.fixes.suggest import (
    DEFAULT_LIMIT,
    EMBED_ON_READ,
    FindingSuggestions,
    SuggestResult,
    active_embedder,
    load_index,
    suggest_with,
)
from hookwise.search.state import Embedders
from hookwise.store import fixes as table
from hookwise.store.db import Store
from hookwise.store.vectors import to_stored

#: Attempts the worker's idle task embeds and stores per round.
EMBED_BATCH = 256
#: Finding texts whose vectors the worker remembers (a check run's findings
#: are asked about again and again while they stay open).
QUERY_CACHE = 10_000
#: New texts are embedded before answering only when the embedder's measured
#: pace says they take at most this share of the deadline: the pace of one
#: batch is no promise for the next, and the rest of the answer needs time too.
DEADLINE_SHARE = 0.5


class SuggestService:
    """The worker's ``suggest``: one index per repository, refreshed when attempts change."""

    def __init__(self, embedders: Embedders | None = None) -> None:
        self.embedders = embedders or Embedders()
        self.config = RecommendConfig()
        self._lock = threading.Lock()
        self._stores: dict[Path, Store] = {}
        self._indexes: dict[Path, AttemptIndex] = {}
        self._pulled: dict[Path, Pulled] = {}  # patterns from other projects, per repository
        self._queries: OrderedDict[tuple[str, str], FloatMatrix] = OrderedDict()
        # The fix_attempts version and embedder at which nothing waited for a vector.
        self._idle_at: dict[Path, tuple[int, str]] = {}
        # Seconds per text of each embedder's last batch of finding texts.
        self._pace: dict[str, float] = {}
        # Finding texts answered without their vector, to embed after the answer.
        self._later: dict[str, tuple[Embedder, set[str]]] = {}
        self._embedding_later: threading.Thread | None = None
        # Per worktree: the configuration files' stat when its arms were read, and the arms.
        self._configured: dict[Path, tuple[object, tuple[RecommendConfig, tuple[Arm, ...]]]] = {}

    def _store(self, hookwise_dir: Path) -> Store:
        store = self._stores.get(hookwise_dir)
        if store is None:
            paths = RepoPaths.for_hookwise_dir(hookwise_dir)
            store = self._stores[hookwise_dir] = Store.open(paths, create=False)
        return store

    def index(
        self, store: Store, *, fresh: bool = True
    ) -> tuple[AttemptIndex, Embedder | None, str | None]:
        """The store's index, read again when its attempts or its embedder changed.

        ``fresh`` False (an answer under a deadline): an index of the same
        embedder is used as it is, and one read for the first time embeds no
        attempt.
        """
        embedder, notice = active_embedder(store.paths, self.embedders)
        key = store.paths.hookwise_dir
        index = self._indexes.get(key)
        embedder_id = embedder.id if embedder is not None else None
        if (
            index is None
            or index.embedder_id != embedder_id
            or (fresh and index.version != store.version("fix_attempts"))
        ):
            limit = EMBED_ON_READ if fresh else 0
            index = load_index(store, embedder, self.config, embed_limit=limit)
            self._indexes[key] = index
        return index, embedder, notice

    def pulled(self, store: Store, *, fresh: bool = True) -> Pulled:
        """The store's patterns from other projects, read again after a pull when ``fresh``."""
        known = self._pulled.get(store.paths.hookwise_dir)
        if known is None or fresh:
            known = self._pulled[store.paths.hookwise_dir] = load_pulled(store, known)
        return known

    def _embed(self, embedder: Embedder, texts: Sequence[str]) -> FloatMatrix:
        """The texts' vectors, from the cache where it has them (the model runs unlocked)."""
        with self._lock:
            new = sorted({t for t in texts if (embedder.id, t) not in self._queries})
        if new:
            started = time.monotonic()
            vectors = embedder.embed(new)
            pace = (time.monotonic() - started) / len(new)
            with self._lock:
                self._pace[embedder.id] = pace
                for text, vector in zip(new, vectors, strict=True):
                    self._queries[(embedder.id, text)] = vector
        rows = []
        with self._lock:
            for text in texts:
                key = (embedder.id, text)
                self._queries.move_to_end(key)
                rows.append(self._queries[key])
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, embedder.dimension), np.float32)

    def _deferred(self, embedder: Embedder, texts: Sequence[str], seconds: float) -> set[str]:
        """The texts not to embed before answering: none when the new ones fit in ``seconds``."""
        with self._lock:
            new = {t for t in texts if (embedder.id, t) not in self._queries}
            pace = self._pace.get(embedder.id)
        if not new or (pace is not None and pace * len(new) <= seconds * DEADLINE_SHARE):
            return set()
        return new

    def suggest(
        self,
        store: Store,
        findings: Sequence[Finding],
        limit: int,
        *,
        deadline: float | None = None,
        arms: Sequence[Arm] = (),
        config: RecommendConfig | None = None,
    ) -> SuggestResult:
        """Suggestions for ``findings``; with ``deadline`` (seconds), no wait for the model.

        With ``arms``, each finding is answered by the configuration of its
        arm (``arm_of``), and its answer names the arm.
        """
        started = time.monotonic()
        # A chain of small products: on one BLAS thread, as search's (hookwise.blas
        # says why); measured here 41 ms a request with OpenBLAS's own threads
        # and 17 ms without them, 20 findings against 20k attempts.
        with blas_threads(1):
            with self._lock:
                index, embedder, notice = self.index(store, fresh=deadline is None)
                pulled = self.pulled(store, fresh=deadline is None)
            texts = [finding_text(f.tool, f.rule, f.message, f.snippet) for f in findings]
            later: set[str] = set()
            if embedder is not None and deadline is not None:
                left = deadline - (time.monotonic() - started)
                later = self._deferred(embedder, texts, left)
            ready = [i for i, text in enumerate(texts) if text not in later]
            queries = None
            if embedder is not None and ready:
                queries = self._embed(embedder, [texts[i] for i in ready])
            if arms:
                answers = self._split(store, index, findings, ready, queries, limit, arms)
            else:
                chosen = config or self.config
                answers = self._answers(store, index, findings, ready, queries, limit, chosen)
        if later and embedder is not None:
            self._embed_later(embedder, later)
        answers = with_pulled(answers, pulled, limit)  # after local memory, labelled
        return SuggestResult(tuple(answers), (notice,) if notice and len(index) else ())

    def _answers(
        self,
        store: Store,
        index: AttemptIndex,
        findings: Sequence[Finding],
        ready: list[int],
        queries: FloatMatrix | None,
        limit: int,
        config: RecommendConfig,
    ) -> list[FindingSuggestions]:
        """Full answers for the ``ready`` findings, the prior's (partial) for the others."""
        if len(ready) == len(findings):
            return suggest_with(store, index, findings, queries, config, limit=limit)
        waiting = [i for i in range(len(findings)) if i not in set(ready)]
        answers: list[FindingSuggestions | None] = [None] * len(findings)
        full = suggest_with(
            store, index, [findings[i] for i in ready], queries, config, limit=limit
        )
        prior = suggest_with(
            store, index, [findings[i] for i in waiting], None, config, limit=limit
        )
        for i, answer in zip(ready, full, strict=True):
            answers[i] = answer
        for i, answer in zip(waiting, prior, strict=True):
            answers[i] = FindingSuggestions(answer.finding, answer.suggestions, partial=True)
        return [answer for answer in answers if answer is not None]

    def _split(
        self,
        store: Store,
        index: AttemptIndex,
        findings: Sequence[Finding],
        ready: list[int],
        queries: FloatMatrix | None,
        limit: int,
        arms: Sequence[Arm],
    ) -> list[FindingSuggestions]:
        """The answers, each finding's by its arm's configuration, in the findings' order."""
        names = [name for name, _ in arms]
        chosen = [arm_of(fingerprint(finding), names) for finding in findings]
        where = {finding: row for row, finding in enumerate(ready)}  # queries' row of a finding
        answers: list[FindingSuggestions | None] = [None] * len(findings)
        for name, config in arms:
            members = [i for i, arm in enumerate(chosen) if arm == name]
            if not members:
                continue
            mine = [k for k, i in enumerate(members) if i in where]
            rows = [where[members[k]] for k in mine]
            part = self._answers(
                store,
                index,
                [findings[i] for i in members],
                mine,
                None if queries is None else queries[rows],
                limit,
                config,
            )
            for i, answer in zip(members, part, strict=True):
                answers[i] = replace(answer, arm=name)
        return [answer for answer in answers if answer is not None]

    def configured(self, worktree: Path | None) -> tuple[RecommendConfig, tuple[Arm, ...]]:
        """The worktree's recommender settings (``suggest``) and A/B arms, read again when
        its configuration files change.

        A configuration with problems changes nothing: ``hookwise check``
        without a command names them, and a suggestion is never refused
        for them.
        """
        if worktree is None:
            return self.config, ()
        stamp = tuple(_stat(worktree / name) for name in (OWN_CONFIG, PYPROJECT))
        known = self._configured.get(worktree)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            settings, arms = load_recommender(worktree)
            config = replace(self.config, **settings)  # type: ignore[arg-type]
            found = (config, arm_configs(arms, config))
        except (CheckConfigError, TypeError):
            found = (self.config, ())
        self._configured[worktree] = (stamp, found)
        return found

    def _embed_later(self, embedder: Embedder, texts: set[str]) -> None:
        """Embed ``texts`` in a thread, after the answer that left them out."""
        with self._lock:
            self._later.setdefault(embedder.id, (embedder, set()))[1].update(texts)
            if self._embedding_later is not None:
                return  # the running thread takes them too
            self._embedding_later = threading.Thread(
                target=self._embed_waiting_texts, name="hookwise-suggest-embed", daemon=True
            )
            self._embedding_later.start()

    def _embed_waiting_texts(self) -> None:
        while True:
            with self._lock:
                if not self._later:
                    self._embedding_later = None
                    return
                _, (embedder, texts) = self._later.popitem()
            try:
                self._embed(embedder, sorted(texts))
            except Exception:  # a failed embedding is tried again by the next request
                continue

    def serve_suggest(self, args: dict[str, Any]) -> dict[str, Any]:
        """The ``suggest`` op: ``{"hookwise_dir", "findings": [...], "limit", "deadline_ms"?,
        "worktree"?}``; the worktree's configuration may name A/B arms."""
        try:
            findings = [Finding.from_json(shape) for shape in args.get("findings") or ()]
            limit = int(args.get("limit") or DEFAULT_LIMIT)
            deadline = _deadline(args.get("deadline_ms"))
            with self._lock:
                store = self._store(Path(str(args["hookwise_dir"])))
                worktree = args.get("worktree")
                where = Path(worktree) if isinstance(worktree, str) else _top(store)
                config, arms = self.configured(where)
            answer = self.suggest(
                store, findings, limit, deadline=deadline, arms=arms, config=config
            )
            return answer.to_json()
        except HookwiseError as exc:
            return {"error": str(exc), "kind": type(exc).__name__}

    def when_idle(self, store: Store) -> bool:
        """Idle task: store a batch of attempts' vectors; when none wait, read a stale index
        again, so the next request does not pay for it (100k attempts: seconds)."""
        embedder, _ = active_embedder(store.paths, self.embedders)
        if embedder is None:
            return False
        if self._embed_waiting(store, embedder):
            return True
        with self._lock, blas_threads(1):
            if store.paths.hookwise_dir in self._indexes:
                self.index(store)
                self.pulled(store)
        return False

    def _embed_waiting(self, store: Store, embedder: Embedder) -> bool:
        # An idle worker asks every round: skip the read while nothing changed
        # since the last round found nothing waiting.
        key = store.paths.hookwise_dir
        versions = (store.version("fix_attempts"), embedder.id)
        if self._idle_at.get(key) == versions:
            return False
        waiting = table.fix_attempts_without_vector(store, embedder.id, EMBED_BATCH)
        if not waiting:
            self._idle_at[key] = versions
            return False
        texts = [
            finding_text(row["tool"], row["rule"], row["message"], row["snippet"])
            for row in waiting
        ]
        try:
            table.set_fix_attempt_vectors(
                store, waiting, embedder.id, to_stored(embedder.embed(texts))
            )
        except StoreLockedError:
            return False  # a writer holds the store; next round
        return True


def _deadline(value: object) -> float | None:
    """``deadline_ms`` as seconds; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise UsageError(f"deadline_ms must be a number of milliseconds from 0, not {value!r}")
    return value / 1000


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _top(store: Store) -> Path | None:
    """The worktree of a store known by its common directory, when that is ``top/.git``."""
    common = store.paths.common_dir
    return common.parent if common.name == ".git" else None
