"""Warm ``suggest`` latency: 20 findings against N fix attempts, against brute-force numpy.

Budget (DESIGN §6): ``suggest``, warm worker, 20 findings, 100k fix attempts: <= 50 ms median.

A store is filled with N generated attempts that look like a real
project's fix memory: ruff, mypy, pylint, eslint and pytest findings over
a few hundred rules, messages and snippets that name a few thousand
identifiers, two to six strategies per rule drawn with a skew (each rule
has its usual fix), about one attempt in seven a failure, three years of
times, a commit and a short diff each. Their vectors are the hashing
embedder's (``--embedder minilm`` embeds them with MiniLM: slow to build
at 100k). Then, in the same run, with 20 fresh findings from the same
generator:

- ``numpy``: brute-force cosine top-20 over a float32 matrix of the same
  vectors, the findings already embedded: the floor any exact search pays;
- ``in-process``: ``SuggestService.suggest`` with its index warm (what the
  worker does per request, without the socket);
- ``worker``: the same through a real worker's socket (one request, JSON
  both ways), and the worker's resident memory, idle and warm.

It also prints the time to build the index (read and arrange, calibrate),
the in-process stages of a request (neighbours; votes and ranking), and
the recall of the worker's neighbours against exact ones.

    python bench/suggest.py                     # 20k attempts, about a minute
    python bench/suggest.py --attempts 100000   # the budget's size, a few minutes
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hookwise.capture.locations import RepoPaths
from hookwise.checks.findings import Finding
from search_latency import memory_mb, worker

BUDGET_MS = 50.0
WORDS = (
    "user session token cache config path item value result request response client "
    "server handler parser node tree field record entry batch frame buffer stream "
    "index query filter schema table column row store model layer worker task job "
    "event signal plugin hook fixture report output input state context manager"
).split()
RULES = {
    "ruff": [
        f"{p}{n}"
        for p in ("F", "E", "W", "B", "UP", "SIM", "PL", "RUF", "I", "N")
        for n in (401, 841, 501, 711, 712, 6, 8, 35, 108, 117, 1, 2, 3, 5, 9)
    ],
    "mypy": [
        "arg-type",
        "return-value",
        "assignment",
        "attr-defined",
        "union-attr",
        "name-defined",
        "import-untyped",
        "index",
        "call-arg",
        "override",
        "misc",
        "no-untyped-def",
        "var-annotated",
        "operator",
        "type-arg",
    ],
    "pylint": [
        "unused-variable",
        "unused-import",
        "line-too-long",
        "too-many-branches",
        "redefined-outer-name",
        "broad-except",
        "missing-docstring",
        "no-member",
        "invalid-name",
        "too-many-arguments",
    ],
    "eslint": [
        "no-unused-vars",
        "eqeqeq",
        "prefer-const",
        "no-undef",
        "semi",
        "quotes",
        "no-console",
        "curly",
        "no-shadow",
        "camelcase",
    ],
    "pytest": ["AssertionError", "KeyError", "TypeError", "AttributeError", "ValueError"],
}
STRATEGIES = [
    ("remove unused import", "imports"),
    ("remove the unused name", "delete"),
    ("add `# noqa`", "suppress"),
    ("add `# type: ignore[...]`", "suppress"),
    ("annotate the return type", "signature"),
    ("add a parameter annotation", "signature"),
    ("rename to snake_case", "rename"),
    ("wrap the long line", "replace"),
    ("use a context manager", "rewrite"),
    ("guard against None", "replace"),
    ("import from typing", "imports"),
    ("use `is` for None", "replace"),
    ("replace with a comprehension", "replace"),
    ("split the function", "rewrite"),
    ("fix the expected value", "replace"),
    ("catch the specific exception", "replace"),
    ("use `const`", "replace"),
    ("add the missing key", "replace"),
]
LANGUAGE = {"eslint": "javascript"}


def identifier(rng: np.random.Generator) -> str:
    return "_".join(rng.choice(WORDS, size=int(rng.integers(1, 3))).tolist())


def generate(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    """``n`` attempts: findings of many rules, each rule with its skewed set of strategies."""
    rules = [(tool, rule) for tool, names in RULES.items() for rule in names]
    habits = {
        key: rng.choice(len(STRATEGIES), size=int(rng.integers(2, 7)), replace=False)
        for key in rules
    }
    popularity = 1.0 / np.arange(1, len(rules) + 1) ** 0.8
    picks = rng.choice(len(rules), size=n, p=popularity / popularity.sum())
    start = 1_600_000_000
    attempts = []
    for i, pick in enumerate(picks.tolist()):
        tool, rule = rules[pick]
        finding = invent(rng, tool, rule)
        habit = habits[(tool, rule)]
        skew = 1.0 / np.arange(1, len(habit) + 1) ** 1.5
        strategy, kind = STRATEGIES[int(rng.choice(habit, p=skew / skew.sum()))]
        sha = hashlib.sha1(f"{i}".encode()).hexdigest()
        attempts.append(
            {
                "id": sha[:32],
                "tool": tool,
                "rule": rule,
                "message": finding.message,
                "path": finding.path,
                "snippet": finding.snippet,
                "fingerprint": sha[:20],
                "language": finding.language,
                "strategy": strategy,
                "kind": kind,
                "source": "auto",
                "outcome": "failure" if rng.uniform() < 0.14 else "success",
                "commit": sha,
                "diff": f"-{finding.snippet}\n+{finding.snippet}  # {strategy}\n",
                "context": None,
                "confirms": None,
                "time": start + i * 900,
                "recorded_at": start + i * 900,
            }
        )
    return attempts


def invent(rng: np.random.Generator, tool: str, rule: str) -> Finding:
    name, other = identifier(rng), identifier(rng)
    message = {
        "ruff": f"`{name}` imported but unused" if rule.endswith("401") else f"{rule} in `{name}`",
        "mypy": f'Argument 1 to "{name}" has incompatible type "{other}"; expected "str"',
        "pylint": f"Unused variable '{name}'" if "unused" in rule else f"{rule} ({name})",
        "eslint": f"'{name}' is assigned a value but never used.",
        "pytest": f"assert {name}({other}) == {int(rng.integers(0, 99))}",
    }[tool]
    extension = ".js" if tool == "eslint" else ".py"
    snippet = f"{name} = {other}({identifier(rng)})"
    path = f"src/{identifier(rng)}/{name}{extension}"
    return Finding(
        tool,
        rule,
        message,
        path,
        int(rng.integers(1, 400)),
        snippet=snippet,
        language=LANGUAGE.get(tool, "python"),
    )


def build_store(folder: Path, n: int, embedder_name: str) -> tuple[RepoPaths, Any]:
    from hookwise.embed import get_embedder
    from hookwise.fixes.recommend import finding_text
    from hookwise.git.repo import discover
    from hookwise.search.state import VectorState, write_state
    from hookwise.store import schema
    from hookwise.store.db import Store
    from hookwise.store.vectors import to_stored

    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    paths = discover(folder)
    store = Store.open(paths)
    embedder = get_embedder(embedder_name, state_dir=paths.store_dir)
    write_state(paths, VectorState(embedder_name, embedder.id))
    rng = np.random.default_rng(0)
    attempts = generate(rng, n)
    for start in range(0, n, 20_000):
        chunk = attempts[start : start + 20_000]
        texts = [finding_text(a["tool"], a["rule"], a["message"], a["snippet"]) for a in chunk]
        rows = pa.Table.from_pylist(
            [{**a, "embedder": embedder.id, "vector": None} for a in chunk],
            schema=schema.FIX_ATTEMPTS,
        )
        vectors = to_stored(embedder.embed(texts))
        rows = rows.set_column(rows.schema.get_field_index("vector"), "vector", vectors)
        with store.lock():
            store.add("fix_attempts", rows)
    return paths, embedder


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--findings", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--embedder", default="hashing")
    options = parser.parse_args()

    from hookwise.blas import blas_threads
    from hookwise.capture import rpc
    from hookwise.fixes.index import AttemptIndex
    from hookwise.fixes.recommend import RecommendConfig, finding_text
    from hookwise.fixes.service import SuggestService
    from hookwise.fixes.suggest import EMBED_ON_READ
    from hookwise.store import fixes as table
    from hookwise.store.db import Store

    with tempfile.TemporaryDirectory(prefix="hookwise-bench-suggest-") as tmp:
        started = time.perf_counter()
        paths, embedder = build_store(Path(tmp) / "repo", options.attempts, options.embedder)
        print(f"{options.attempts:,} attempts stored in {time.perf_counter() - started:.1f}s")
        rng = np.random.default_rng(1)
        tools = [(t, r) for t, rules in RULES.items() for r in rules[:5]]
        findings = [
            invent(rng, *tools[int(rng.integers(0, len(tools)))]) for _ in range(options.findings)
        ]
        texts = [finding_text(f.tool, f.rule, f.message, f.snippet) for f in findings]
        store = Store.open(paths, create=False)
        config = RecommendConfig()
        with blas_threads(1):
            started = time.perf_counter()
            built = AttemptIndex.read(table.ranking_batches(store), embedder, embed_limit=0)
            read_s = time.perf_counter() - started
            built.calibrate(config)
            calibrate_s = time.perf_counter() - started - read_s
        print(
            f"index build: read and arranged in {read_s:.2f}s, calibrated in {calibrate_s:.2f}s "
            f"({built.calibration.pairs} replayed pairs); {built.matrix.nbytes / 2**20:.0f} MB "
            f"of vectors, {columns_mb(built):.1f} MB of columns"
        )
        del built
        service = SuggestService()
        index, _, _ = service.index(store)
        assert len(index) == options.attempts and EMBED_ON_READ >= 0
        matrix = index.matrix
        queries = embedder.embed(texts)
        k = config.neighbours

        def brute() -> None:
            scores = queries @ matrix.T
            np.argpartition(-scores, k, axis=1)[:, :k]

        def votes() -> None:
            c = index.columns
            rules = [c.rule_code(f.tool, f.rule) for f in findings]
            languages = [c.language_code(f.language) for f in findings]
            ballot, _ = index.votes(queries, rules, languages, config)
            index.choose(ballot, [f.tool for f in findings], config, limit=5)

        exact = [set(np.argsort(-(matrix @ q))[:k].tolist()) for q in queries]
        found = [set(rows.tolist()) for rows, _ in index.neighbours(queries, k)]
        recall = np.mean([len(e & f) / k for e, f in zip(exact, found, strict=True)])
        figures, stages = {}, {}
        with blas_threads(1):
            figures["numpy"] = median_ms(brute, options.repeats)
            stages["neighbours"] = median_ms(lambda: index.neighbours(queries, k), options.repeats)
            stages["+ votes, ranking"] = median_ms(votes, options.repeats)
            figures["in-process"] = median_ms(
                lambda: service.suggest(store, findings, 5), options.repeats
            )
        args = {
            "hookwise_dir": str(paths.hookwise_dir),
            "findings": [f.to_json() for f in findings],
            "limit": 5,
        }
        with worker(paths, Path(tmp) / "state") as proc:
            assert proc is not None
            rpc.call("ping", {}, timeout=60)
            idle_mb, _ = memory_mb(proc.pid)
            started = time.perf_counter()
            rpc.call("suggest", args, timeout=600)  # the worker reads its index
            first_s = time.perf_counter() - started
            figures["worker"] = median_ms(lambda: rpc.call("suggest", args), options.repeats)
            ping_ms = median_ms(lambda: rpc.call("ping", {}), options.repeats)
            memory, peak = memory_mb(proc.pid)
        print(
            f"\n{options.findings} findings, {options.attempts:,} attempts, "
            f"embedder {embedder.id}, median of {options.repeats}, "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:"
        )
        for name, value in figures.items():
            print(f"  {name:<11} {value:8.2f} ms   {value / figures['numpy']:5.2f}x numpy")
        print("  in-process stages: " + ", ".join(f"{n} {v:.2f} ms" for n, v in stages.items()))
        print(f"  neighbours' recall@{k} against exact: {recall:.3f}")
        print(f"  a worker's ping (the socket's own cost): {ping_ms:.2f} ms")
        print(f"  worker's first answer (reads the index): {first_s:.2f}s")
        print(f"  worker RSS: {idle_mb:.0f} MB idle, {memory:.0f} MB warm (peak {peak:.0f} MB)")
        verdict = "within" if figures["worker"] <= BUDGET_MS else "OVER"
        print(f"  worker {figures['worker']:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")


def columns_mb(index: Any) -> float:
    """Memory of the index's per-attempt columns (everything but the vectors)."""
    c = index.columns
    arrays = [getattr(c, name) for name in vars(c) if isinstance(getattr(c, name), np.ndarray)]
    return (sum(a.nbytes for a in arrays) + c.ids.nbytes) / 2**20


if __name__ == "__main__":
    main()
