"""``hookwise search``: commits found by meaning and by words, fused.

Two retrievers run over the same commits (every stored commit that was not
rewritten):

- **vector**: the cosine between the query's vector and each commit's, from
  the store's active embedder (``hookwise.search.vectors``): brute force
  over an in-memory matrix, which the warm worker keeps between searches, or
  LanceDB's vector index from VECTOR_INDEX_MIN_ROWS commits on;
- **text**: LanceDB's full-text index (BM25, English stemming and stop
  words) over subject and body.

The default ``hybrid`` mode adds, for each commit either retriever proposed
(``Evidence``, ``fuse``):

- the cosine as a z-score against the whole store (how unusually close this
  commit is, for this query);
- ``text / (1 + rank / decay)`` for the commit's rank in the BM25 list (a
  commit that shares no word with the query gains nothing; the best lexical
  match gains the full weight, the 20th half of it). The rank rather than
  the BM25 score itself, because BM25 scores are not comparable across
  queries: one rare shared word can dwarf a good paraphrase;
- ``files`` times the z-score of the query against the topic of the closest
  file the commit touched (``hookwise.search.topics``): a commit whose
  subject says little is still found through what its files are about.

Plain reciprocal-rank fusion throws the vector scores away too, and on
paraphrased queries it scored below vector-only; the text embedded, the
scales and the weights (``Fusion``) were chosen by measuring on the
labelled queries of ``bench/search_quality.py``, which also reports how
well the choice holds on queries it was not made on (docs/search.md).

Filters (author, since, path glob, conventional type) select commits before
ranking, so ``--limit`` results are always filled when enough commits match.
Results the user opened for a similar query earlier get a bounded boost
(``click_boost``). The worker answers over its socket (the ``search`` op);
``search_in_process`` gives the same answer without it.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hookwise import memory
from hookwise.blas import blas_threads
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.conventional import COMMITIZEN_TYPES
from hookwise.embed import Embedder, embedder_name
from hookwise.errors import ExtraMissingError, HookwiseError, StoreError, UsageError
from hookwise.search import vectors
from hookwise.search.topics import FileTopics
from hookwise.store.db import Store, sql_string
from hookwise.store.schema import VECTOR_DIMENSION

if TYPE_CHECKING:
    from hookwise.worker.loop import Worker

MODES = ("hybrid", "vector", "text")
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

# How many commits each retriever proposes before fusion; a commit outside
# both lists cannot be in the top ten of a sensible fusion anyway.
CANDIDATES = 200
# Cosines of this many commits put a query's cosines on one scale (z-scores).
STATS_SAMPLE = 4096
# Candidates asked of the vector index (brute force proposes CANDIDATES).
ANN_CANDIDATES = 100
# From this many vectors on the worker builds LanceDB's vector index and an
# unfiltered search uses it: measured with bench/search_latency.py
# --threshold (docs/search.md, "The vector index").
VECTOR_INDEX_MIN_ROWS = 50_000
INDEX_BUILD_TIMEOUT = 3600.0  # seconds; a build that runs longer is given up and retried


@dataclass(frozen=True)
class Fusion:
    """hybrid = vector * z(cosine) + text / (1 + BM25 rank / decay) + files * z(file topic)."""

    vector: float
    text: float
    decay: float
    files: float = 0.0


# Measured on bench/search_quality.py (docs/search.md, "Fusion"), which
# prints the figure of these weights and the cross-validated one. For MiniLM
# every file weight from 0.25 to 1 beats none at every text weight and decay
# tried; text weights 0.25-0.75 and decays 10-40 move MRR@10 by a few
# hundredths. The hashing fallback is a lexical model too, and on paraphrases
# a worse one than BM25: its cosine only breaks ties between word matches,
# and its file topics (as lexical as its vectors) gained nothing clear.
FUSION = {"hashing": Fusion(vector=0.05, text=1.0, decay=5.0, files=0.0)}
DEFAULT_FUSION = Fusion(vector=1.0, text=0.5, decay=20.0, files=0.5)
TEXT_WEIGHT = DEFAULT_FUSION.text


def fusion_for(embedder_id: str) -> Fusion:
    return FUSION.get(embedder_name(embedder_id), DEFAULT_FUSION)


@dataclass(frozen=True)
class Evidence:
    """What the retrievers said about one query's candidates, before fusion.

    Arrays aligned with ``rows`` (corpus rows): the commits the vector search
    proposed, then those only the text search found.
    """

    rows: npt.NDArray[np.int64]
    vector: npt.NDArray[np.float64]  # z(cosine) against the store; 0 without a vector
    text_rank: npt.NDArray[np.int64]  # rank in the BM25 list (0 = best); -1 if not in it
    files: npt.NDArray[np.float64]  # file-topic z-score (FileTopics.scores), >= 0


def fuse(evidence: Evidence, fusion: Fusion) -> npt.NDArray[np.float64]:
    """The hybrid score of each candidate of ``evidence`` (see ``Fusion``)."""
    ranks = evidence.text_rank
    text = np.where(ranks >= 0, fusion.text / (1.0 + np.maximum(ranks, 0) / fusion.decay), 0.0)
    fused: npt.NDArray[np.float64] = (
        fusion.vector * evidence.vector + text + fusion.files * evidence.files
    )
    return fused


# Click-through (see ``click_boost``).
CLICK_MIN_SIMILARITY = 0.75
CLICK_MAX_BOOST = 0.5  # in z-score units of the fused score
CLICK_HALF_LIFE_DAYS = 90.0

# A glob selects paths as in fnmatch (``*`` crosses ``/``); a plain path
# selects itself and everything below it, as with ``git log -- PATH``.
_GLOB_CHARS = re.compile(r"[*?\[]")
_SPACE = re.compile(r"\s+")
_TYPE = re.compile(r"^[a-z]+$")

CORPUS_COLUMNS = [
    "sha",
    "parents",
    "is_merge",
    "subject",
    "author_name",
    "author_email",
    "author_time",
    "author_tz",
    "committer_time",
    "cc_type",
    "cc_category",
    "paths",
]
TEXT_INDEX_COLUMNS = ("subject", "body")
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


# -- requests and results --------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    author: str | None = None  # part of the author's name or email, any case
    since: int | None = None  # committer time, seconds since the epoch (as git log --since)
    path: str | None = None  # a glob, or a path and everything below it
    type: str | None = None  # a conventional-commit type, or "merge" / "revert"

    @property
    def active(self) -> bool:
        return any(v is not None for v in asdict(self).values())


@dataclass(frozen=True)
class SearchRequest:
    query: str
    limit: int = DEFAULT_LIMIT
    mode: str = "hybrid"
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UsageError(
                f"unknown search mode {self.mode!r}; choose one of: {', '.join(MODES)}"
            )
        if not self.query.strip():
            raise UsageError("the search query is empty; say what you are looking for")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise UsageError(
                f"the number of results must be between 1 and {MAX_LIMIT}, not {self.limit}"
            )
        if self.filters.type is not None and not _TYPE.match(self.filters.type):
            raise UsageError(
                f"{self.filters.type!r} is not a commit type; use a word such as "
                "feat, fix, docs, refactor, merge or revert"
            )

    def to_args(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "limit": self.limit,
            "mode": self.mode,
            "filters": asdict(self.filters),
        }

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> SearchRequest:
        return cls(
            query=str(args["query"]),
            limit=int(args.get("limit", DEFAULT_LIMIT)),
            mode=str(args.get("mode", "hybrid")),
            filters=Filters(**dict(args.get("filters") or {})),
        )


@dataclass(frozen=True)
class Hit:
    sha: str
    subject: str
    date: str  # ISO 8601 author date, in the author's own time zone
    author: str
    score: float

    def to_json(self) -> dict[str, Any]:
        """The DESIGN §5 contract: ``{"sha","subject","date","author","score"}``."""
        return {
            "sha": self.sha,
            "subject": self.subject,
            "date": self.date,
            "author": self.author,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: tuple[Hit, ...]
    embedder: str | None = None
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "hits": [asdict(h) for h in self.hits],
            "embedder": self.embedder,
            "notices": list(self.notices),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchResult:
        return cls(
            query=str(data["query"]),
            mode=str(data["mode"]),
            hits=tuple(Hit(**h) for h in data["hits"]),
            embedder=data.get("embedder"),
            notices=tuple(data.get("notices") or ()),
        )


def normalise_query(query: str) -> str:
    """How a query is compared with the queries of earlier clicks."""
    return _SPACE.sub(" ", query.strip().lower()).strip(" ?!.")


# -- the in-memory view of a store --------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """The commits search covers, row-aligned arrays (read once, reused while fresh)."""

    shas: list[str]
    row: dict[str, int]
    table: pa.Table

    @classmethod
    def read(cls, store: Store) -> Corpus:
        table = vectors.searchable_commits(store, CORPUS_COLUMNS)
        shas = table.column("sha").to_pylist()
        return cls(shas, {s: i for i, s in enumerate(shas)}, table)

    def __len__(self) -> int:
        return len(self.shas)

    @property
    def committer_times(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.table.column("committer_time").fill_null(0), dtype=np.int64)

    def second_parents(self) -> npt.NDArray[np.int64]:
        """Row of each merge's second parent; -1 for other commits (and absent parents)."""
        out = np.full(len(self), -1, np.int64)
        merges = np.flatnonzero(np.asarray(self.table.column("is_merge").fill_null(False)))
        listed = self.table.column("parents").take(pa.array(merges)).to_pylist()
        for i, parents in zip(merges.tolist(), listed, strict=True):
            if parents and len(parents) >= 2:
                out[i] = self.row.get(parents[1], -1)
        return out

    def hit(self, i: int, score: float) -> Hit:
        row = {c: self.table.column(c)[i].as_py() for c in ("subject", "author_name")}
        when = int(self.table.column("author_time")[i].as_py() or 0)
        tz = int(self.table.column("author_tz")[i].as_py() or 0)
        date = datetime.fromtimestamp(when, timezone(timedelta(minutes=tz))).isoformat()
        return Hit(self.shas[i], row["subject"] or "", date, row["author_name"] or "", score)


@dataclass(frozen=True)
class VectorMatrix:
    """The active embedder's vectors, row-aligned with a corpus (zeros where missing).

    Below VECTOR_INDEX_MIN_ROWS the nearest commits are found by brute force
    over a float32 matrix. Above it, and once the worker has built LanceDB's
    vector index, an unfiltered search asks the index for candidates and the
    matrix, kept as float16 there to halve its memory, only rescores them.
    """

    embedder_id: str
    matrix: npt.NDArray[np.floating[Any]]
    present: BoolArray
    sample: FloatArray  # vectors whose cosines put a query's on one scale
    indexed: bool
    mixed: bool  # the table also holds another embedder's rows (a reindex runs)

    @classmethod
    def read(cls, store: Store, embedder: Embedder, corpus: Corpus) -> VectorMatrix:
        where = f"embedder = {sql_string(embedder.id)}"
        count = store.table(vectors.VECTOR_TABLE).count_rows(where)
        indexed = count >= VECTOR_INDEX_MIN_ROWS and vectors.vector_index(store) is not None
        dtype: type[np.floating[Any]] = np.float16 if indexed else np.float32
        matrix = np.zeros((len(corpus), embedder.dimension), dtype)
        present = np.zeros(len(corpus), np.bool_)
        read = 0
        # A batch at a time, straight into place: the worker's peak memory is
        # the matrix and one batch, not the matrix and the whole table.
        for batch in store.read_batches(vectors.VECTOR_TABLE, where, ["sha", "vector"]):
            shas = batch.column(0).to_pylist()
            rows = np.fromiter((corpus.row.get(s, -1) for s in shas), np.int64, len(shas))
            keep = rows >= 0
            block = vectors.from_stored(batch.column(1), embedder.dimension, dtype)
            matrix[rows[keep]] = block[keep]
            present[rows[keep]] = True
            read += len(shas)
        # A fixed sample, so that the same query gets the same scores in every
        # process that reads the same store.
        chosen = np.flatnonzero(present)
        if chosen.size > STATS_SAMPLE:
            rng = np.random.default_rng(0)
            chosen = np.sort(rng.choice(chosen, STATS_SAMPLE, replace=False))
        sample = np.ascontiguousarray(matrix[chosen], dtype=np.float32)
        mixed = store.count(vectors.VECTOR_TABLE) != read
        return cls(embedder.id, matrix, present, sample, indexed, mixed)

    @property
    def waiting(self) -> int:
        return int((~self.present).sum())

    def cosine(self, rows: npt.NDArray[np.int64], query_vector: FloatArray) -> FloatArray:
        block = self.matrix[rows]
        return block.astype(np.float32, copy=False) @ query_vector

    def scale(self, query_vector: FloatArray) -> tuple[float, float]:
        """Mean and spread of this query's cosines over the store (from the sample)."""
        sample = self.sample @ query_vector
        return float(sample.mean()), float(sample.std()) or 1.0

    def nearest(
        self,
        store: Store,
        corpus: Corpus,
        query_vector: FloatArray,
        mask: BoolArray | None,
        k: int,
    ) -> dict[int, float]:
        """Row -> cosine of the ``k`` nearest commits that pass ``mask``."""
        if self.indexed and mask is None:
            return self._nearest_indexed(store, corpus, query_vector, k)
        usable = self.present if mask is None else self.present & mask
        if self.matrix.dtype == np.float32:
            everything: FloatArray = (self.matrix @ query_vector).astype(np.float32, copy=False)
            return {i: float(everything[i]) for i in _top(everything, usable, k)}
        rows = np.flatnonzero(usable)
        subset = self.cosine(rows, query_vector)
        best = np.argsort(-subset)[:k]
        return {int(rows[j]): float(subset[j]) for j in best}

    def _nearest_indexed(
        self, store: Store, corpus: Corpus, query_vector: FloatArray, k: int
    ) -> dict[int, float]:
        padded = np.zeros(VECTOR_DIMENSION, np.float32)
        padded[: query_vector.size] = query_vector
        # The fused top ten comes from the first hundred by vector or so; the
        # index's cost grows with how many it must return (ef = 1.5 x limit).
        search = (
            store.table(vectors.VECTOR_TABLE)
            .search(padded, vector_column_name="vector")
            .distance_type("cosine")
            .select(["sha", "_distance"])
            .limit(min(k, ANN_CANDIDATES))
        )
        if self.mixed:
            search = search.where(f"embedder = {sql_string(self.embedder_id)}", prefilter=True)
        found = search.to_arrow()
        rows = [corpus.row.get(sha, -1) for sha in found.column("sha").to_pylist()]
        picked = np.array([r for r in rows if r >= 0], np.int64)
        # The index's distances are approximate (quantised); the matrix's are not.
        return dict(zip(picked.tolist(), self.cosine(picked, query_vector).tolist(), strict=True))


# -- filters --------------------------------------------------------------------------


def _glob_regex(pattern: str) -> str:
    """A glob as an RE2 pattern (Arrow's regex engine has no lookahead, which
    ``fnmatch.translate`` emits): ``*`` and ``**`` match anything, ``/``
    included, ``?`` one character, ``[...]`` / ``[!...]`` a class."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            while i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


def _path_regex(pattern: str) -> str:
    if _GLOB_CHARS.search(pattern):
        return _glob_regex(pattern)
    prefix = pattern.strip("/")
    return "^" + re.escape(prefix) + "(?:/.*)?$"


def filter_mask(corpus: Corpus, filters: Filters) -> BoolArray | None:
    """Which commits pass ``filters`` (None: all of them)."""
    if not filters.active or len(corpus) == 0:
        return None
    table = corpus.table
    mask = np.ones(len(corpus), np.bool_)
    if filters.author:
        needle = filters.author
        by_name = pc.match_substring(table.column("author_name"), needle, ignore_case=True)
        by_email = pc.match_substring(table.column("author_email"), needle, ignore_case=True)
        either = pc.or_kleene(pc.fill_null(by_name, False), pc.fill_null(by_email, False))
        mask &= np.asarray(either, dtype=np.bool_)
    if filters.since is not None:
        times = table.column("committer_time").fill_null(0).to_numpy()
        mask &= times >= filters.since
    if filters.type:
        if filters.type in ("merge", "revert"):
            column, value = "cc_category", filters.type
        else:
            column, value = "cc_type", filters.type
        mask &= np.asarray(pc.fill_null(pc.equal(table.column(column), value), False))
    if filters.path:
        paths = table.column("paths").combine_chunks()
        flat = pc.list_flatten(paths)
        parents = pc.list_parent_indices(paths).to_numpy()
        matched = np.asarray(
            pc.fill_null(pc.match_substring_regex(flat, _path_regex(filters.path)), False)
        )
        by_path = np.zeros(len(corpus), np.bool_)
        by_path[parents[matched]] = True
        mask &= by_path
    return mask


def check_type(corpus: Corpus, commit_type: str | None) -> None:
    """An unknown type is a usage error, not an empty result."""
    if commit_type is None or commit_type in COMMITIZEN_TYPES or commit_type in ("merge",):
        return
    stored = {t for t in corpus.table.column("cc_type").unique().to_pylist() if t}
    if commit_type in stored:
        return
    known = ", ".join(sorted(COMMITIZEN_TYPES | stored | {"merge"}))
    raise UsageError(f"unknown commit type {commit_type!r}; use one of: {known}")


# -- text retrieval (LanceDB full-text search) --------------------------------------


def text_index_ready(store: Store) -> bool:
    names = {index.name for index in store.table("commits").list_indices()}
    return all(f"{column}_idx" in names for column in TEXT_INDEX_COLUMNS)


def ensure_text_index(store: Store) -> bool:
    """Build the full-text index of commits if it is missing; True when it built one.

    Commits added later are searched too (LanceDB scans what the index does
    not cover yet) and join the index when the worker compacts the store.
    """
    if store.count("commits") == 0 or text_index_ready(store):
        return False
    from lancedb.index import FTS

    table = store.table("commits")
    names = {index.name for index in table.list_indices()}
    with store.lock():
        for column in TEXT_INDEX_COLUMNS:
            if f"{column}_idx" not in names:
                # English stemming and stop words (the defaults): "supporting"
                # meets "support", and "the" matches nothing.
                table.create_index(column, config=FTS(), name=f"{column}_idx")
    return True


def text_scores(
    store: Store, corpus: Corpus, query: str, mask: BoolArray | None, limit: int
) -> dict[int, float]:
    """Corpus row -> BM25 score, for the best ``limit`` commits that pass ``mask``."""
    from lancedb.query import FullTextOperator, MultiMatchQuery

    # Subject and body weigh the same: boosting the subject (2:1, 3:1) scored
    # lower on the labelled queries, since a merge's subject is boilerplate.
    fts = MultiMatchQuery(
        query, list(TEXT_INDEX_COLUMNS), boosts=None, operator=FullTextOperator.OR
    )
    search = store.table("commits").search(fts, query_type="fts").select(["sha", "_score"])
    want = limit
    if mask is not None:
        allowed = int(mask.sum())
        if allowed == 0:
            return {}
        if allowed <= 2000:
            # Few commits pass the filters: let LanceDB search only those.
            chosen = (corpus.shas[i] for i in np.flatnonzero(mask))
            search = search.where(f"sha IN ({', '.join(sql_string(s) for s in chosen)})")
        else:
            want = limit * 4  # filtered afterwards
    try:
        found = search.limit(want).to_arrow()
    except Exception as exc:  # lancedb raises bare ValueError/RuntimeError
        if "index" in str(exc).lower():
            return {}  # no full-text index yet: the worker builds it
        raise
    out: dict[int, float] = {}
    for sha, score in zip(
        found.column("sha").to_pylist(), found.column("_score").to_pylist(), strict=True
    ):
        i = corpus.row.get(sha)
        if i is not None and (mask is None or mask[i]):
            out[i] = float(score)
            if len(out) >= limit:
                break
    return out


# -- clicks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Click:
    query: str
    sha: str
    time: int


def read_clicks(store: Store) -> list[Click]:
    rows = store.read("clicks", columns=["query", "sha", "time"]).to_pylist()
    return [Click(r["query"] or "", r["sha"] or "", int(r["time"] or 0)) for r in rows]


def record_click(store: Store, query: str, sha: str, *, now: float | None = None) -> None:
    """Remember that the user opened ``sha`` from a search for ``query``."""
    import hashlib

    stamp = time.time_ns() if now is None else int(now * 1e9)
    normal = normalise_query(query)
    key = hashlib.sha1(f"{normal}\0{sha}\0{stamp}".encode()).hexdigest()
    from hookwise.store import schema

    row = pa.Table.from_pylist(
        [{"id": key, "query": normal, "sha": sha, "time": stamp // 1_000_000_000}],
        schema=schema.CLICKS,
    )
    with store.lock():
        store.table("clicks").add(row)


def _word_overlap(a: str, b: str) -> float:
    wa, wb = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def click_boost(
    query: str,
    clicks: Sequence[Click],
    similarity: dict[str, float],
    *,
    now: float,
) -> dict[str, float]:
    """sha -> boost for the results users opened after a similar query.

    A click counts with the similarity of its query to this one (1 for the
    same query; below CLICK_MIN_SIMILARITY not at all) and halves every
    CLICK_HALF_LIFE_DAYS. Clicks add up with diminishing returns and the
    boost never exceeds CLICK_MAX_BOOST: a clicked commit overtakes one that
    scores a little higher, never one that matches much better.
    """
    normal = normalise_query(query)
    evidence: dict[str, float] = {}
    for click in clicks:
        sim = 1.0 if click.query == normal else similarity.get(click.query, 0.0)
        if sim < CLICK_MIN_SIMILARITY:
            continue
        age_days = max(0.0, now - click.time) / 86400.0
        weight = sim * 0.5 ** (age_days / CLICK_HALF_LIFE_DAYS)
        evidence[click.sha] = evidence.get(click.sha, 0.0) + weight
    return {sha: CLICK_MAX_BOOST * (1.0 - float(np.exp(-w))) for sha, w in evidence.items()}


# -- embedding a query -------------------------------------------------------------------


def embed_query(embedder: Embedder, query: str) -> FloatArray:
    """The query's vector (an embedder runs a single text on one thread)."""
    matrix = embedder.embed([query])
    row: FloatArray = matrix[0]
    return row


# -- the engine -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """What one refresh read; replaced whole, so a search never mixes two."""

    key: tuple[Any, ...]
    corpus: Corpus
    vectors: VectorMatrix | None
    embedder: Embedder | None
    problem: str | None  # why there are no vectors to compare with
    topics: FileTopics | None = None


class SearchEngine:
    """Searches one store; keeps what it read until the store changes.

    The worker keeps one per store (so searches pay for neither reading the
    store nor loading the model); the in-process path builds one and drops it.
    """

    def __init__(self, paths: RepoPaths) -> None:
        self.paths = paths
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._clicks_version: int | None = None
        self._clicks: list[Click] = []
        self._click_vectors: dict[str, FloatArray] = {}

    # -- freshness --------------------------------------------------------------

    def _versions(self, store: Store) -> tuple[Any, ...]:
        return (
            int(store.table("commits").version),
            int(store.table(vectors.VECTOR_TABLE).version),
            vectors.state_mtime(self.paths),
        )

    def refresh(self, store: Store) -> _Snapshot:
        """What the store holds now (read again only if it changed)."""
        key = self._versions(store)
        with self._lock:
            if self._snapshot is not None and self._snapshot.key == key:
                return self._snapshot
            corpus = Corpus.read(store)
            matrix: VectorMatrix | None = None
            embedder: Embedder | None = None
            problem: str | None = None
            topics: FileTopics | None = None
            try:
                embedder, _ = vectors.store_embedder(self.paths)
                matrix = VectorMatrix.read(store, embedder, corpus)
                if fusion_for(embedder.id).files > 0:  # not built where they weigh nothing
                    topics = FileTopics.build(
                        corpus.table.column("paths"),
                        corpus.second_parents(),
                        matrix.matrix,
                        matrix.present,
                    )
            except ExtraMissingError as exc:
                problem = f"this store's vectors need an extra: {exc}"
            except StoreError as exc:
                problem = str(exc)
            self._snapshot = _Snapshot(key, corpus, matrix, embedder, problem, topics)
            memory.trim()  # the reload's temporaries, back to the system
            return self._snapshot

    def _refresh_clicks(self, store: Store) -> None:
        version = int(store.table("clicks").version)
        if version != self._clicks_version:
            self._clicks = read_clicks(store)
            self._clicks_version = version

    @property
    def warm(self) -> bool:
        return self._snapshot is not None

    @property
    def _vectors(self) -> VectorMatrix | None:
        """The vectors of the last refresh (for tests and benchmarks)."""
        return self._snapshot.vectors if self._snapshot else None

    # -- searching ------------------------------------------------------------------

    def search(self, store: Store, request: SearchRequest) -> SearchResult:
        # One search is a chain of small products: on one BLAS thread each
        # (see hookwise.blas), so a busy core cannot stall them.
        with blas_threads(1):
            return self._search(store, request)

    def _search(self, store: Store, request: SearchRequest) -> SearchResult:
        snapshot = self.refresh(store)
        self._refresh_clicks(store)
        corpus, matrix, embedder = snapshot.corpus, snapshot.vectors, snapshot.embedder
        notices: list[str] = []
        check_type(corpus, request.filters.type)
        if len(corpus) == 0:
            notices.append("the store has no commits yet; run `hookwise backfill`")
            return SearchResult(request.query, request.mode, (), None, tuple(notices))
        mode = request.mode
        if matrix is None or embedder is None or not matrix.present.any():
            problem = snapshot.problem or (
                "no commit has a vector yet; the worker embeds them in the background"
            )
            if mode == "vector":
                raise StoreError(problem)
            if mode == "hybrid":
                notices.append(f"searching by words only: {problem}")
                mode = "text"
        elif matrix.waiting and mode != "text":
            notices.append(
                f"{matrix.waiting:,} of {len(corpus):,} commits still wait for a vector "
                "(the worker embeds them); they are found by their words only"
            )
        mask = filter_mask(corpus, request.filters)
        text: Future[dict[int, float]] | None = None
        if mode != "vector":
            # LanceDB's full-text search and the model both leave the GIL:
            # on two cores the words are searched while the query is embedded.
            text = _text_pool.submit(text_scores, store, corpus, request.query, mask, CANDIDATES)
        query_vector: FloatArray | None = None
        if mode != "text":
            assert embedder is not None
            query_vector = embed_query(embedder, request.query)
        scores = self._score(snapshot, query_vector, text, mode, mask, store)
        if request.mode == "hybrid":
            # Clicks re-rank the default mode only: a forced single method
            # shows that method's own ranking (and its own score units).
            boosts = self._boosts(request.query, embedder, query_vector)
            for sha, boost in boosts.items():
                i = corpus.row.get(sha)
                if i is not None and i in scores:
                    scores[i] += boost
        # Equal scores are common in text mode (a backport repeats its
        # original's words): the newer commit first, then by sha for stability.
        times = corpus.committer_times
        ranked = sorted(
            scores.items(), key=lambda item: (-item[1], -times[item[0]], corpus.shas[item[0]])
        )
        hits = tuple(corpus.hit(i, s) for i, s in ranked[: request.limit])
        return SearchResult(
            request.query, mode, hits, matrix.embedder_id if matrix else None, tuple(notices)
        )

    def evidence(self, store: Store, request: SearchRequest) -> tuple[Corpus, Evidence]:
        """What the hybrid mode fuses for ``request``, before fusion and clicks.

        For benchmarks, which weigh the same evidence many ways (``fuse``).
        Raises StoreError when the store has no vectors to compare with.
        """
        snapshot = self.refresh(store)
        if snapshot.vectors is None or snapshot.embedder is None:
            raise StoreError(snapshot.problem or "this store has no vectors yet")
        mask = filter_mask(snapshot.corpus, request.filters)
        text = _text_pool.submit(
            text_scores, store, snapshot.corpus, request.query, mask, CANDIDATES
        )
        query_vector = embed_query(snapshot.embedder, request.query)
        return snapshot.corpus, self._evidence(snapshot, query_vector, text, mask, store)

    def _score(
        self,
        snapshot: _Snapshot,
        query_vector: FloatArray | None,
        text_future: Future[dict[int, float]] | None,
        mode: str,
        mask: BoolArray | None,
        store: Store,
    ) -> dict[int, float]:
        """Corpus row -> score of the commits worth ranking."""
        if mode == "text":
            assert text_future is not None
            return text_future.result()
        matrix = snapshot.vectors
        assert matrix is not None and query_vector is not None
        if mode == "vector":
            return matrix.nearest(store, snapshot.corpus, query_vector, mask, CANDIDATES)
        assert text_future is not None
        evidence = self._evidence(snapshot, query_vector, text_future, mask, store)
        fused = fuse(evidence, fusion_for(matrix.embedder_id))
        return dict(zip(evidence.rows.tolist(), fused.tolist(), strict=True))

    def _evidence(
        self,
        snapshot: _Snapshot,
        query_vector: FloatArray,
        text_future: Future[dict[int, float]],
        mask: BoolArray | None,
        store: Store,
    ) -> Evidence:
        corpus, matrix = snapshot.corpus, snapshot.vectors
        assert matrix is not None
        nearest = matrix.nearest(store, corpus, query_vector, mask, CANDIDATES)
        text = text_future.result()
        by_bm25 = sorted(text, key=lambda i: -text[i])
        # Lexical matches the vector search did not propose get their cosine
        # too; one without a vector yet is judged by its words (and files) alone.
        only_text = [i for i in by_bm25 if i not in nearest]
        rows = np.array([*nearest, *only_text], np.int64)
        cosines = np.zeros(rows.size, np.float64)
        cosines[: len(nearest)] = list(nearest.values())
        has_vector = np.ones(rows.size, np.bool_)
        if only_text:
            tail = rows[len(nearest) :]
            has_vector[len(nearest) :] = matrix.present[tail]
            cosines[len(nearest) :] = matrix.cosine(tail, query_vector)
        mean, std = matrix.scale(query_vector)
        vector = np.where(has_vector, (cosines - mean) / std, 0.0)
        rank = {i: r for r, i in enumerate(by_bm25)}
        text_rank = np.array([rank.get(i, -1) for i in rows.tolist()], np.int64)
        files = (
            snapshot.topics.scores(query_vector, rows).astype(np.float64)
            if snapshot.topics is not None
            else np.zeros(rows.size, np.float64)
        )
        return Evidence(rows, vector, text_rank, files)

    def _boosts(
        self, query: str, embedder: Embedder | None, query_vector: FloatArray | None
    ) -> dict[str, float]:
        if not self._clicks:
            return {}
        similarity: dict[str, float] = {}
        distinct = sorted({c.query for c in self._clicks})
        if embedder is not None and query_vector is not None:
            missing = [q for q in distinct if q not in self._click_vectors]
            if missing:
                embedded = embedder.embed(missing)
                for q, v in zip(missing, embedded, strict=True):
                    self._click_vectors[q] = v
            for q in distinct:
                similarity[q] = float(self._click_vectors[q] @ query_vector)
        else:
            normal = normalise_query(query)
            similarity = {q: _word_overlap(normal, q) for q in distinct}
        return click_boost(query, self._clicks, similarity, now=time.time())


def _top(scores: FloatArray, usable: BoolArray, k: int) -> Iterable[int]:
    """Indices of the ``k`` highest ``scores`` among ``usable`` rows."""
    candidates = np.flatnonzero(usable)
    if candidates.size > k:
        candidates = candidates[np.argpartition(-scores[candidates], k)[:k]]
    return [int(i) for i in candidates]


# -- entry points ------------------------------------------------------------------------

_engines: dict[Path, SearchEngine] = {}
_text_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hookwise-text-search")
_query_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hookwise-search")
_engines_lock = threading.Lock()


def engine_for(paths: RepoPaths) -> SearchEngine:
    with _engines_lock:
        engine = _engines.get(paths.hookwise_dir)
        if engine is None:
            engine = _engines[paths.hookwise_dir] = SearchEngine(paths)
        return engine


def search_in_process(paths: RepoPaths, request: SearchRequest) -> SearchResult:
    """Answer without the worker (slower: reads the store, may load the model)."""
    store = Store.open(paths, create=False)
    with contextlib.suppress(StoreError):
        ensure_text_index(store)
    return engine_for(paths).search(store, request)


_stores: dict[Path, Store] = {}


def _worker_store(hookwise_dir: Path) -> Store:
    """The worker's open store for ``hookwise_dir`` (requests come from many threads)."""
    with _engines_lock:
        store = _stores.get(hookwise_dir)
        if store is None:
            store = _stores[hookwise_dir] = Store.open(
                RepoPaths.for_hookwise_dir(hookwise_dir), create=False
            )
        return store


def serve_search(worker: Any, args: dict[str, Any]) -> dict[str, Any]:
    """The worker's ``search`` op: ``{"hookwise_dir", "query", "limit", "mode", "filters"}``.

    A handled error comes back as ``{"error", "kind"}`` so the command can
    show it as its own one-line message.
    """
    try:
        request = SearchRequest.from_args(args)
        store = _worker_store(Path(str(args["hookwise_dir"])))
        # The socket server starts a thread per request; the model is run
        # from long-lived threads instead, since torch sets up its per-thread
        # state on a thread's first use (measured: ~10 ms a request).
        answer = _query_pool.submit(engine_for(store.paths).search, store, request)
        return answer.result().to_json()
    except HookwiseError as exc:
        return {"error": str(exc), "kind": type(exc).__name__}


def serve_click(worker: Any, args: dict[str, Any]) -> dict[str, Any]:
    """The worker's ``click`` op: ``{"hookwise_dir", "query", "sha"}`` (from `hookwise show`)."""
    try:
        store = _worker_store(Path(str(args["hookwise_dir"])))
        record_click(store, str(args["query"]), str(args["sha"]))
        return {"recorded": True}
    except HookwiseError as exc:
        return {"error": str(exc), "kind": type(exc).__name__}


_text_index_checked: dict[Path, int] = {}
_vector_index_checked: dict[Path, int] = {}
_vector_index_builds: dict[Path, threading.Thread] = {}


_BUILD_INDEX = (
    "import os, sys\n"
    "from pathlib import Path\n"
    "from hookwise.search import vectors\n"
    "from hookwise.capture.locations import RepoPaths\n"
    "from hookwise.store.db import Store\n"
    "os.nice(10)\n"
    "paths = RepoPaths.for_hookwise_dir(Path(sys.argv[1]))\n"
    "vectors.build_vector_index(Store.open(paths, create=False))\n"
)


def build_vector_index_in_child(hookwise_dir: Path) -> None:
    """Build the vector index in a process of its own, at a lower priority.

    In the worker's own process the build (tens of seconds at 100k vectors)
    keeps LanceDB's runtime busy, and every search waits behind it: measured,
    one search took 27 s while the index was built. In a child, searches
    only share the cores with it, and the build's memory is not the worker's.
    """
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD_INDEX, str(hookwise_dir)],
        capture_output=True,
        text=True,
        timeout=INDEX_BUILD_TIMEOUT,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise StoreError(f"the index builder failed: {lines[-1]}")


def ensure_vector_index(store: Store) -> threading.Thread | None:
    """Start building the vector index in the background once the store is big enough.

    A thread waits on the child process that builds it
    (``build_vector_index_in_child``) while the worker goes on ingesting and
    answering, without the index meanwhile. Returns the thread when one was
    started.
    """
    key = store.paths.hookwise_dir
    running = _vector_index_builds.get(key)
    if running is not None and running.is_alive():
        return None
    state = vectors.read_state(store.paths)
    if state is None or vectors.vector_index(store) is not None:
        return None
    table = store.table(vectors.VECTOR_TABLE)
    if table.count_rows(f"embedder = {sql_string(state.embedder_id)}") < VECTOR_INDEX_MIN_ROWS:
        return None

    def build() -> None:
        try:
            build_vector_index_in_child(key)
        except Exception as exc:  # logged; the next change of the store retries
            log_error(key, f"worker: building the vector index failed: {type(exc).__name__}: {exc}")
            _vector_index_checked.pop(key, None)

    thread = threading.Thread(target=build, name="hookwise-vector-index", daemon=True)
    _vector_index_builds[key] = thread
    thread.start()
    return thread


def search_when_idle(worker: Worker, store: Store) -> bool:
    """Idle task (``hookwise.worker.tasks``): keep the indexes and a warm engine up to date.

    Cheap when nothing changed: it runs every time the worker is idle.
    """
    key = store.paths.hookwise_dir
    version = int(store.table("commits").version)
    built = False
    if _text_index_checked.get(key) != version:
        built = ensure_text_index(store)
        _text_index_checked[key] = int(store.table("commits").version)
    vector_version = int(store.table(vectors.VECTOR_TABLE).version)
    if _vector_index_checked.get(key) != vector_version:
        _vector_index_checked[key] = vector_version
        ensure_vector_index(store)
    engine = _engines.get(key)
    if engine is not None and engine.warm:
        engine.refresh(store)  # so the next search does not pay for reading
    return built
