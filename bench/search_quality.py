"""Search quality on a real history: MRR@10 and recall@10 per retrieval method.

The labelled queries (``bench/search_queries.json``) were written by hand
about pytest's history, paraphrased away from the commits' own words, each
with the commits that answer it (the change itself, its pull-request merge,
backports). For each embedder the benchmark builds a store of the repository
the way a user gets one -- a bare clone, ``backfill``, then every commit
embedded -- and asks every query in each mode:

- ``vector``: cosine similarity only;
- ``text``: LanceDB full-text search (BM25) only;
- ``hybrid``: hookwise's default fusion (``hookwise.search.fusion``);
- ``hybrid, no file topics``: the same without the file-topic term
  (``hookwise.search.topics``), the default before it;
- ``rrf``: reciprocal-rank fusion (k = 60) of the vector and text rankings,
  the textbook way to fuse, for reference;
- ``git log --grep``: the query as a fixed string, and any/all of its words.

The hybrid's weights were chosen on these same queries, so the benchmark
also says how well such a choice holds on queries it was not made on: for
each of 50 random splits it picks the best weights of ``GRIDS`` on one half
of the queries and scores them on the other (and the other way round), and
prints the mean and spread of those held-out MRR@10s.

Stores are cached under ``$TMPDIR/hookwise-search-bench`` keyed by the
repository's HEAD, the commit limit and the embedder, so a second run only
searches (embedding 17k commits with MiniLM on two cores takes minutes).

    python bench/search_quality.py                         # /tmp/pytest-bench, both embedders
    python bench/search_quality.py --embedder hashing      # the fallback only
    python bench/search_quality.py --repo PATH --queries FILE --limit 5000
    python bench/search_quality.py --changelog 600         # + a second opinion
"""

from __future__ import annotations

import argparse
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.search import fusion as fusions
from hookwise.search.engine import SearchEngine
from hookwise.search.request import SearchRequest
from hookwise.store.db import Store

DEFAULT_REPO = Path("/tmp/pytest-bench")
DEFAULT_QUERIES = Path(__file__).resolve().parent / "search_queries.json"
CACHE_ROOT = Path(tempfile.gettempdir()) / "hookwise-search-bench"
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


# -- the store ----------------------------------------------------------------------


def build_store(repo: Path, embedder: str, limit: int | None, cache_root: Path) -> RepoPaths:
    """A bare clone of ``repo`` with a backfilled, fully embedded store (cached)."""
    head = git_out(repo, "rev-parse", "HEAD").strip()
    folder = cache_root / f"{head[:12]}-{limit or 'all'}-{embedder}"
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
# same grids the defaults were chosen from (docs/search.md, "Fusion").
GRIDS = {
    "minilm": {
        "vector": [1.0],
        "text": [0.25, 0.5, 0.75, 1.0],
        "decay": [10.0, 20.0, 40.0],
        "files": [0.0, 0.25, 0.5, 0.75, 1.0],
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
    fusions = [
        fusions.Fusion(vector=v, text=t, decay=d, files=f)
        for v, t, d, f in itertools.product(
            grid["vector"], grid["text"], grid["decay"], grid["files"]
        )
    ]
    pairs = list(zip(evidence, queries, strict=True))
    rr = np.array([[score(e.ranking(f), q.accepted)[0] for e, q in pairs] for f in fusions])
    rng = np.random.default_rng(0)
    held_out = []
    for _ in range(SPLITS):
        order = rng.permutation(len(queries))
        half = len(queries) // 2
        for chosen_on, scored_on in ((order[:half], order[half:]), (order[half:], order[:half])):
            best = int(np.argmax(rr[:, chosen_on].mean(axis=1)))
            held_out.append(float(rr[best, scored_on].mean()))
    best = int(np.argmax(rr.mean(axis=1)))
    f = fusions[best]
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


def report(title: str, rankings: dict[str, list[list[str]]], queries: Sequence[Query]) -> None:
    for method, per_query in rankings.items():
        scores = Scores([], [])
        for ranked, query in zip(per_query, queries, strict=True):
            rr, recall = score(ranked, query.accepted)
            scores.reciprocal_ranks.append(rr)
            scores.recalls.append(recall)
        name = f"{title} {method}"
        print(
            f"| {name:<33} | {scores.mrr:.3f} | {scores.recall:.3f} "
            f"| {scores.found:>2}/{len(queries)} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=DEFAULT_REPO)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--embedder", choices=["minilm", "hashing", "all"], default="all")
    parser.add_argument("--limit", type=int, help="Keep only the newest N commits.")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_ROOT)
    parser.add_argument(
        "--changelog",
        type=int,
        default=0,
        metavar="N",
        help="Also try the file weights on N changelog sentences (a second opinion).",
    )
    args = parser.parse_args()
    if not (args.repo / "HEAD").exists() and not (args.repo / ".git").exists():
        print(f"{args.repo} is not a git repository; pass --repo PATH", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore", DeprecationWarning)
    queries = load_queries(args.queries)
    names = ["minilm", "hashing"] if args.embedder == "all" else [args.embedder]
    if "minilm" in names:
        from hookwise.embed import neural_available

        if not neural_available():
            print("the neural extra is missing: skipping minilm", file=sys.stderr)
            names.remove("minilm")
    rankings: dict[str, dict[str, list[list[str]]]] = {}
    latency: dict[str, float] = {}
    evidence: dict[str, list[Fusable]] = {}
    stores: dict[str, RepoPaths] = {}
    kept = queries
    for name in names:
        print(f"\n## {name}", flush=True)
        paths = stores[name] = build_store(args.repo, name, args.limit, args.cache_dir)
        if args.limit:
            stored = Store.open(paths, create=False).known_shas()
            kept = [q for q in queries if q.accepted & stored]
        rankings[name], latency[name], evidence[name] = hookwise_rankings(paths, kept)
    print(
        f"\n{len(kept)} queries ({len(queries) - len(kept)} skipped: no answer in the store); "
        f"query words found in the answer's subject: {overlap(args.repo, kept):.0%}\n"
    )
    print("| method                            | MRR@10 | recall@10 | found |")
    print("|-----------------------------------|--------|-----------|-------|")
    for name in names:
        report(name, rankings[name], kept)
    report("git log --grep", git_grep_rankings(args.repo, kept), kept)
    print(
        f"\nHybrid weights chosen on a random half of the queries and scored on the other "
        f"half ({SPLITS} splits, both halves; grids in GRIDS):"
    )
    for name in names:
        mean, spread, best, weights = cross_validated(name, evidence[name], kept)
        default = fusions.fusion_for(name)
        print(
            f"  {name}: held-out MRR@10 {mean:.3f} ± {spread:.3f}; the default "
            f"(vector {default.vector:g}, text {default.text:g}, decay {default.decay:g}, "
            f"files {default.files:g}) is in the table; best on all queries {best:.3f} "
            f"({weights})"
        )
    if args.changelog:
        for name in names:
            changelog_check(name, stores[name], args.repo, args.changelog)
    for name in names:
        print(f"\nhybrid search, in-process, warm: {latency[name]:.1f} ms median ({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
