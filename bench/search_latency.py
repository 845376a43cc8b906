"""Warm search latency at 10k and 100k commits, against brute-force numpy in the same run.

Budget (DESIGN §6): ``search``, warm worker, 100k commits: <= 50 ms median.

The stores are built from a real history: the commits and vectors of
``bench/search_quality.py``'s store of pytest (17.7k commits), repeated with
fresh shas -- and, for the copies, the vectors moved by a little noise, so
that no two are equal -- up to each size. Then, in the same run, with the
labelled queries taking turns:

- ``numpy``: brute-force cosine top-10 over a float32 matrix of the same
  vectors (the query already embedded): the floor any vector search pays;
- ``numpy + embed``: the same, embedding the query first;
- ``hookwise``: a warm search engine in this process (what the worker keeps),
  hybrid and vector-only, brute force and, at sizes where the worker builds
  one, with LanceDB's vector index;
- ``worker``: the same through a real worker's socket (one request, one
  connection, JSON both ways).

``--threshold`` measures where the vector index starts to pay: brute force
against the index (latency and recall@10 against exact) at growing sizes.

``--command REPO`` measures a repository that is already embedded (a clone
after ``hookwise init`` and ``reindex``), as the user waits: ``hookwise
search`` from process start to output, with ``hookwise --version`` taking
turns with it in the same run as the baseline (the interpreter and the
console script, which every command pays), and the worker's answer alone
over its socket (query embedding, vector search, BM25 and fusion); median
and p90 of each, and the worker's RSS once warm. ``--reindex REPO`` runs
``hookwise reindex`` there and prints its peak RSS (``--reindex-seconds``
stops it early: the whole-store read, when there was one, came first).

    python bench/search_latency.py                        # minilm, 10k and 100k
    python bench/search_latency.py --embedder hashing --sizes 10000
    python bench/search_latency.py --threshold
    python bench/search_latency.py --command /tmp/git --runs 40
    python bench/search_latency.py --reindex /tmp/copy-of-git --reindex-seconds 300
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hookwise.capture.locations import RepoPaths
from search_quality import CACHE_ROOT, SETS, TUNING, build_store, load_queries

DEFAULT_REPO, DEFAULT_QUERIES = SETS[TUNING[0]]  # pytest: the first tuning set

BUDGET_MS = 50.0
COMMAND_BUDGET_MS = 150.0  # `hookwise search`, process start to output (DESIGN section 6)
MEMORY_BUDGET_MB = {"minilm": 600, "fallback": 150}  # worker RSS, DESIGN section 6
NOISE = 0.15  # how far a copy's vector moves from its original (unit vectors)


def synthetic_paths(folder: Path) -> RepoPaths:
    """A store outside any repository: search needs no git."""
    return RepoPaths(worktree=None, git_dir=folder, common_dir=folder, hooks_dir=folder / "hooks")


def build_synthetic(source: RepoPaths, size: int, folder: Path) -> RepoPaths:
    """``size`` commits copied (and varied) from the ``source`` store; cached."""
    from hookwise.search import vectors
    from hookwise.search.lexical import ensure_text_index
    from hookwise.search.state import store_embedder, write_state
    from hookwise.store import schema
    from hookwise.store.db import Store
    from hookwise.store.vectors import to_stored

    paths = synthetic_paths(folder)
    ready = folder / "ready"
    if ready.exists():
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    src = Store.open(source, create=False)
    embedder, state = store_embedder(source)
    commits = src.read("commits")
    vector_shas, matrix = vectors.read_vectors(src, embedder)
    order = {sha: i for i, sha in enumerate(vector_shas)}
    rows = np.array([order[s] for s in commits.column("sha").to_pylist()])
    matrix = matrix[rows]
    store = Store.open(paths)
    rng = np.random.default_rng(0)
    written = 0
    copy = 0
    while written < size:
        take = min(commits.num_rows, size - written)
        part = commits.slice(0, take)
        shas = part.column("sha").to_pylist()
        block = matrix[:take]
        if copy:
            shas = [hashlib.sha1(f"{copy}:{s}".encode()).hexdigest() for s in shas]
            noise = rng.standard_normal(block.shape).astype(np.float32)
            block = block + NOISE * noise / np.sqrt(block.shape[1])
            block /= np.linalg.norm(block, axis=1, keepdims=True)
        part = part.set_column(part.schema.get_field_index("sha"), "sha", pa.array(shas))
        store.add("commits", part.cast(schema.COMMITS))
        store.add(
            "commit_vectors",
            pa.table(
                {
                    "sha": pa.array(shas),
                    "embedder": pa.array([state.embedder_id] * take),
                    "vector": to_stored(block),
                },
                schema=schema.COMMIT_VECTORS,
            ),
        )
        written += take
        copy += 1
    write_state(paths, state)
    for extra in source.store_dir.glob("*.npz"):  # a fitted embedder's state
        shutil.copy(extra, paths.store_dir / extra.name)
    ensure_text_index(store)
    store.optimize(prune_older_than=timedelta(0))
    print(
        f"  built a {size:,}-commit store in {time.perf_counter() - started:.0f}s "
        f"({store.size_bytes() / size:,.0f} bytes per commit after compaction)",
        flush=True,
    )
    ready.write_text("ok\n")
    return paths


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


@contextlib.contextmanager
def worker(paths: RepoPaths, state: Path) -> Iterator[subprocess.Popen[bytes] | None]:
    """A real worker serving this store, in its own state directory."""
    from hookwise.capture import registry

    env = dict(os.environ, HOOKWISE_STATE_DIR=str(state), HOOKWISE_WORKER_IDLE="600")
    os.environ["HOOKWISE_STATE_DIR"] = str(state)
    registry.register(paths.hookwise_dir)
    # The worker as `hookwise worker` runs it, with the search service loaded
    # (which the worker imports itself once it serves search).
    boot = "import hookwise.search.service; from hookwise.cli import run; run()"
    proc = subprocess.Popen(
        [sys.executable, "-c", boot, "worker", "--foreground"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from hookwise.capture import rpc

    deadline = time.monotonic() + 60
    while not rpc.socket_path().exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident megabytes of a process (VmRSS, VmHWM)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found.get("VmRSS", float("nan")), found.get("VmHWM", float("nan"))


def measure(
    paths: RepoPaths, queries: list[str], repeats: int, *, use_worker: bool
) -> dict[str, Any]:
    from hookwise.capture import rpc
    from hookwise.search import vectors
    from hookwise.search.engine import SearchEngine
    from hookwise.search.matrix import embed_query
    from hookwise.search.request import SearchRequest
    from hookwise.search.state import store_embedder
    from hookwise.store.db import Store

    store = Store.open(paths, create=False)
    embedder, _ = store_embedder(paths)
    _, matrix = vectors.read_vectors(store, embedder)
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    engine = SearchEngine(paths)
    engine.search(store, SearchRequest("warm up the engine"))
    query_vectors = [embed_query(embedder, q) for q in queries]

    def brute(q: np.ndarray) -> np.ndarray:
        scores = matrix @ q
        return np.argpartition(-scores, 10)[:10]

    samples: dict[str, list[float]] = {
        "numpy": [],
        "numpy + embed": [],
        "hookwise hybrid": [],
        "hookwise vector": [],
    }
    sides: dict[str, Callable[[int], object]] = {
        "numpy": lambda i: brute(query_vectors[i]),
        "numpy + embed": lambda i: brute(embed_query(embedder, queries[i])),
        "hookwise hybrid": lambda i: engine.search(store, SearchRequest(queries[i])),
        "hookwise vector": lambda i: engine.search(store, SearchRequest(queries[i], mode="vector")),
    }
    out: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        if use_worker:
            state = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hw-lat-")))
            proc = stack.enter_context(worker(paths, state))
            args = {"hookwise_dir": str(paths.hookwise_dir)}

            def ask(i: int) -> object:
                answer = rpc.call("search", {**args, "query": queries[i], "limit": 10})
                assert isinstance(answer, dict) and "hits" in answer, answer
                return answer

            ask(0)  # loads the store and the model in the worker
            samples["worker hybrid"] = []
            sides["worker hybrid"] = ask
        for r in range(repeats):
            for i in range(len(queries)):
                names = list(sides)
                if (i + r) % 2:
                    names.reverse()  # take turns going first
                for name in names:
                    samples[name].append(timed(functools.partial(sides[name], i)))
        if use_worker:
            rss, peak = memory_mb(proc.pid)  # type: ignore[union-attr]
            out["worker RSS MB"], out["worker peak RSS MB"] = rss, peak
    out.update({name: median_ms(s) for name, s in samples.items()})
    out["indexed"] = engine._vectors is not None and engine._vectors.indexed
    out["embedder"] = embedder.id.split(":", 1)[0]
    return out


def build_index(paths: RepoPaths) -> float:
    from hookwise.store import vectors
    from hookwise.store.db import Store

    store = Store.open(paths, create=False)
    if vectors.has_index(store):
        return 0.0
    return timed(lambda: vectors.build_index(store))


def report(size: int, figures: dict[str, Any]) -> None:
    base = figures["numpy"]
    print(f"\n### {size:,} commits" + (" (vector index)" if figures["indexed"] else ""))
    print("| what | median ms | x numpy |")
    print("|---|---|---|")
    for name, value in figures.items():
        if name in ("indexed", "worker RSS MB", "worker peak RSS MB", "embedder"):
            continue
        print(f"| {name} | {value:.1f} | {value / base:.1f} |")
    if "worker RSS MB" in figures:
        budget = MEMORY_BUDGET_MB["minilm" if figures["embedder"] == "minilm" else "fallback"]
        peak = figures["worker peak RSS MB"]
        print(
            f"worker RSS after the searches: {figures['worker RSS MB']:.0f} MB, peak "
            f"{peak:.0f} MB (budget {budget} MB: {'within' if peak <= budget else 'OVER'})"
        )
    if "worker hybrid" in figures:
        verdict = "within" if figures["worker hybrid"] <= BUDGET_MS else "OVER"
        print(f"budget {BUDGET_MS:.0f} ms: {verdict}")


def threshold(source: RepoPaths, sizes: Sequence[int], queries: list[str], cache: Path) -> None:
    """Brute force against LanceDB's vector index, by size: latency and recall@10."""
    import hookwise.search.matrix as search
    from hookwise.search.engine import SearchEngine
    from hookwise.search.request import SearchRequest
    from hookwise.store import vectors
    from hookwise.store.db import Store

    print("\n### where the vector index starts to pay (vector-only search, warm)")
    print("| commits | brute force ms | indexed ms | recall@10 | index build s |")
    print("|---|---|---|---|---|")
    for size in sizes:
        paths = build_synthetic(source, size, cache / f"size-{size}")
        store = Store.open(paths, create=False)
        vectors.drop_index(store)
        exact_engine = SearchEngine(paths)
        request = [SearchRequest(q, mode="vector", limit=10) for q in queries]
        exact_engine.search(store, request[0])
        brute = [timed(functools.partial(exact_engine.search, store, r)) for r in request]
        truth = [[h.sha for h in exact_engine.search(store, r).hits] for r in request]
        built = timed(functools.partial(vectors.build_index, store))
        saved = search.VECTOR_INDEX_MIN_ROWS
        search.VECTOR_INDEX_MIN_ROWS = 0  # use the index at every size
        try:
            ann_engine = SearchEngine(paths)
            ann_engine.search(store, request[0])
            assert ann_engine._vectors is not None and ann_engine._vectors.indexed
            ann = [timed(functools.partial(ann_engine.search, store, r)) for r in request]
            found = [[h.sha for h in ann_engine.search(store, r).hits] for r in request]
        finally:
            search.VECTOR_INDEX_MIN_ROWS = saved
        recall = statistics.fmean(
            len(set(a) & set(t)) / 10 for a, t in zip(found, truth, strict=True)
        )
        print(
            f"| {size:,} | {median_ms(brute):.1f} | {median_ms(ann):.1f} | {recall:.3f} "
            f"| {built:.0f} |",
            flush=True,
        )


def p90_ms(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=10)[8] * 1000


def run_command(args: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from starting ``hookwise ARGS`` to its exit, all output read."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", *args], env=env, capture_output=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not proc.stdout:
        raise SystemExit(f"hookwise {' '.join(args)} failed: {proc.stderr.decode()}")
    return seconds


def command(repo: Path, queries: list[str], runs: int) -> None:
    """``hookwise search`` end to end against ``hookwise --version``, and the worker alone."""
    from hookwise.capture import rpc
    from hookwise.git.repo import discover

    paths = discover(repo)
    source = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory(prefix="hw-cmd-") as folder:
        state = Path(folder)
        env = dict(
            os.environ,
            HOOKWISE_STATE_DIR=str(state),
            PYTHONPATH=os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        )
        with worker(paths, state) as proc:
            assert proc is not None
            args = {"hookwise_dir": str(paths.hookwise_dir), "limit": 10}

            def answer(query: str) -> None:
                found = rpc.call("search", {**args, "query": query}, timeout=120)
                assert isinstance(found, dict) and "hits" in found, found

            answer(queries[0])  # the store and the model, loaded once
            rss, _ = memory_mb(proc.pid)
            samples: dict[str, list[float]] = {"--version": [], "search": [], "worker": []}
            for i in range(runs):
                query = queries[i % len(queries)]
                sides = {
                    "--version": lambda: run_command(["--version"], env),
                    "search": lambda q=query: run_command(["search", q, "--repo", str(repo)], env),
                    "worker": lambda q=query: timed(functools.partial(answer, q)),
                }
                names = list(sides) if i % 2 else list(reversed(sides))
                for name in names:
                    samples[name].append(sides[name]())
            after_rss, peak = memory_mb(proc.pid)
    base = median_ms(samples["--version"])
    print(f"\n### `hookwise search`, warm worker, {repo} ({runs} runs each, taking turns)")
    print("| what | median ms | p90 ms | median / --version |")
    print("|---|---|---|---|")
    for name, values in samples.items():
        median = median_ms(values)
        print(f"| {name} | {median:.1f} | {p90_ms(values):.1f} | {median / base:.2f} |")
    verdict = "within" if median_ms(samples["search"]) <= COMMAND_BUDGET_MS else "OVER"
    print(f"command budget {COMMAND_BUDGET_MS:.0f} ms median: {verdict}")
    print(
        f"worker RSS after warm-up {rss:.0f} MB, after the runs {after_rss:.0f} MB, "
        f"peak {peak:.0f} MB (budget {MEMORY_BUDGET_MB['minilm']} MB)"
    )


def reindex_peak(repo: Path, seconds: float | None) -> None:
    """``hookwise reindex`` in a child process; its peak RSS (``ru_maxrss``)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "reindex", "-q", "--repo", str(repo)],
        env=dict(os.environ, HOOKWISE_NO_WORKER="1"),
    )
    if seconds is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=seconds)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    finished = "finished" if os.waitstatus_to_exitcode(status) == 0 else "stopped"
    peak = usage.ru_maxrss / 1024
    print(f"\n### `hookwise reindex` of {repo}: {finished} after {wall:.0f}s")
    print(f"peak RSS {peak:.0f} MB (budget {MEMORY_BUDGET_MB['minilm']} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=DEFAULT_REPO)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--embedder", choices=["minilm", "hashing"], default="minilm")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-worker", action="store_true", help="Skip the socket measurement.")
    parser.add_argument("--threshold", action="store_true")
    parser.add_argument(
        "--threshold-sizes", default="5000,10000,20000,50000,100000", help="For --threshold."
    )
    parser.add_argument("--cache-dir", type=Path, default=CACHE_ROOT)
    parser.add_argument("--command", type=Path, metavar="REPO", help="An embedded repository.")
    parser.add_argument("--runs", type=int, default=30, help="For --command.")
    parser.add_argument("--reindex", type=Path, metavar="REPO", help="Peak RSS of reindex.")
    parser.add_argument("--reindex-seconds", type=float, help="Stop the reindex after this.")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    queries = [q.text for q in load_queries(args.queries)]
    if args.command or args.reindex:
        if args.command:
            command(args.command, queries, args.runs)
        if args.reindex:
            reindex_peak(args.reindex, args.reindex_seconds)
        return 0
    print(f"## {args.embedder}: preparing the source store", flush=True)
    source = build_store(args.repo, args.embedder, None, args.cache_dir)
    # The source store's folder names its history, embedder and what its
    # vectors are made of (search_quality.build_store): so do the copies.
    cache = args.cache_dir / f"latency-{source.common_dir.parent.name}"
    if args.threshold:
        sizes = [int(s) for s in args.threshold_sizes.split(",")]
        threshold(source, sizes, queries, cache)
        return 0
    from hookwise.search.matrix import VECTOR_INDEX_MIN_ROWS

    for size in (int(s) for s in args.sizes.split(",")):
        paths = build_synthetic(source, size, cache / f"size-{size}")
        figures = measure(paths, queries, args.repeats, use_worker=not args.no_worker)
        report(size, figures)
        if size >= VECTOR_INDEX_MIN_ROWS:
            print(f"  building the vector index ({size:,} >= {VECTOR_INDEX_MIN_ROWS:,})...")
            seconds = build_index(paths)
            print(f"  built in {seconds:.0f}s", flush=True)
            report(size, measure(paths, queries, args.repeats, use_worker=not args.no_worker))
    print(json.dumps({"queries": len(queries), "repeats": args.repeats}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
