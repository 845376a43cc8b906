"""Embedding throughput against the raw model, and what the commit text length buys.

Budget (DESIGN.md section 6): hookwise's embedding throughput is at least 90% of
calling ``SentenceTransformer.encode`` directly on the same texts, in the same
run. Both of hookwise's MiniLM runtimes (numpy, the default, and torch) are
timed against it on the same commit texts, the three taking turns on chunks
of 64 (which goes first rotates), and judged by the median of the per-chunk
time ratios, which a burst of other load on a shared machine cannot move.
Then each runtime runs alone in a fresh process, for its peak memory, its
batch rate and its one-query latency.

``--quality`` also measures the commit text length (``hookwise.embed.text``):
each changelog fragment a commit added (``changelog/1234.bugfix.rst``, as in
pytest) is a query written by a human about that commit; the first sentence of
it should find the commit among the others. Reported per text length: MRR and
recall@10 for both embedders, and MiniLM's time relative to the chosen cut
(the cost). When ``bench/search_queries.json`` exists (hand-written
paraphrases, each with the commits that answer it), the same text variants
are scored on it too: a second opinion from queries of another kind.

    python bench/embed.py                       # /tmp/pytest-bench if present
    python bench/embed.py --repo . --limit 500
    python bench/embed.py --quality --corpus 3000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hookwise.embed import commit_text, get_embedder, neural_available
from hookwise.embed.hashing import HashingEmbedder
from hookwise.embed.minilm import MiniLMEmbedder
from hookwise.embed.text import MAX_COMMIT_TEXT_CHARS

DEFAULT_REPO = Path("/tmp/pytest-bench")
# Written for pytest's history by whoever owns search; used when present.
DEFAULT_LABELLED = Path(__file__).resolve().parent / "search_queries.json"
BUDGET = 0.90
CHUNK = 64  # texts per timed call: two batches of 32


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    body: str
    paths: tuple[str, ...]


def read_commits(repo: Path, limit: int | None = None) -> list[Commit]:
    """Commits newest first, with the paths each touched (merges touch none here)."""
    args = ["git", "-C", str(repo), "-c", "core.quotepath=off", "log", "--name-only"]
    args.append("--format=%x1e%H%x00%s%x00%b%x00")
    if limit:
        args.append(f"-{limit}")
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode(errors="replace")
    commits = []
    for record in out.split("\x1e")[1:]:
        sha, subject, body, rest = record.split("\x00", 3)
        paths = tuple(p for p in rest.split("\n") if p)
        commits.append(Commit(sha, subject, body, paths))
    return commits


def texts_of(commits: Sequence[Commit], **options: Any) -> list[str]:
    return [commit_text(c.subject, c.body, c.paths, **options) for c in commits]


# -- throughput ---------------------------------------------------------------


def rate(run: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def throughput(texts: list[str], rounds: int) -> None:
    print(f"\n## Throughput on {len(texts)} commit texts, {rounds} rounds")
    mean_chars = statistics.fmean(len(t) for t in texts)
    print(f"mean text length {mean_chars:.0f} chars (cut at {MAX_COMMIT_TEXT_CHARS})")
    if neural_available():
        from sentence_transformers import SentenceTransformer

        numpy_side = MiniLMEmbedder(runtime="numpy")
        torch_side = MiniLMEmbedder(runtime="torch")
        warm = texts[:64]
        numpy_side.embed(warm)
        torch_side.embed(warm)
        # The baseline is loaded the plain way, from the same files.
        raw = SentenceTransformer(numpy_side.source.location, device="cpu")
        raw.encode(warm)

        # Other work on a shared machine comes and goes within seconds, so the
        # sides take turns on small chunks (order rotating) and the budget is
        # judged on the median of the per-chunk time ratios, which a burst of
        # load on one chunk cannot move.
        chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
        sides: dict[str, Callable[[list[str]], object]] = {
            "raw": lambda c: raw.encode(c, batch_size=32, show_progress_bar=False),
            "numpy": numpy_side.embed,
            "torch": torch_side.embed,
        }
        seconds: dict[str, list[float]] = {name: [] for name in sides}
        for r in range(rounds):
            for i, chunk in enumerate(chunks):
                names = list(sides)
                shift = (i + r) % len(names)
                for side in names[shift:] + names[:shift]:
                    start = time.perf_counter()
                    sides[side](chunk)
                    seconds[side].append(time.perf_counter() - start)
        total = len(texts) * rounds
        raw_rate = total / sum(seconds["raw"])
        print(f"raw SentenceTransformer.encode      {raw_rate:8.1f} texts/s")
        for side, embedder in (("numpy", numpy_side), ("torch", torch_side)):
            side_rate = total / sum(seconds[side])
            pair_ratios = [r / h for r, h in zip(seconds["raw"], seconds[side], strict=True)]
            ratio = statistics.median(pair_ratios)
            low, high = np.percentile(pair_ratios, [25, 75])
            mine = embedder.embed(texts[:32])
            theirs = raw.encode(texts[:32], normalize_embeddings=True)
            diff = float(np.max(np.abs(mine - theirs)))
            verdict = "ok" if ratio >= BUDGET else "OVER BUDGET"
            print(f"hookwise minilm, {side} runtime     {side_rate:8.1f} texts/s")
            print(
                f"  ratio, median of {len(pair_ratios)} paired chunks {ratio:6.3f}  "
                f"(quartiles {low:.3f}-{high:.3f}; totals {side_rate / raw_rate:.3f}; "
                f"budget >= {BUDGET:.2f}: {verdict})"
            )
            print(f"  max |hookwise - raw normalised| {diff:.2e}")
    else:
        print("minilm: the neural extra is not installed; skipped")

    start = time.perf_counter()
    hashing = HashingEmbedder().fit(texts)
    fit_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as store_dir:
        # As another process would see it: loaded from the store, empty word cache.
        hashing.save(Path(store_dir))
        cold = HashingEmbedder.load(Path(store_dir))
    cold_rate = rate(lambda: cold.embed(texts), len(texts))
    warm_rate = statistics.median(rate(lambda: hashing.embed(texts), len(texts)) for _ in range(3))
    print(
        f"hashing fit                     {len(texts) / fit_seconds:8.1f} texts/s  ({hashing.id})"
    )
    print(f"hashing embed, cold word cache  {cold_rate:8.1f} texts/s")
    print(f"hashing embed, warm word cache  {warm_rate:8.1f} texts/s")


def token_counts(embedder: MiniLMEmbedder, texts: Sequence[str]) -> list[int]:
    """Tokens per text as the model sees them (cut at its 256)."""
    from hookwise.embed.bert import BertEncoder

    runtime: Any = embedder.runtime
    if isinstance(getattr(runtime, "encoder", None), BertEncoder):
        return [len(e.ids) for e in runtime.encoder.tokenizer.encode_batch(list(texts))]
    ids = runtime.model.tokenizer(list(texts), truncation=False)["input_ids"]
    return [min(len(i), 256) for i in ids]


def memory(repo: Path, limit: int) -> None:
    """Each runtime in a fresh process: peak memory, batch rate, one-query latency."""
    print(f"\n## Each MiniLM runtime in its own process ({limit} commit texts)")
    print("| runtime | peak RSS MB | texts/s | one query ms | torch imported |")
    print("|---|---|---|---|---|")
    for runtime in ("numpy", "torch"):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--repo",
                str(repo),
                "--limit",
                str(limit),
                "--memory-probe",
                runtime,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {runtime} | {r['peak_mb']:.0f} | {r['rate']:.1f} | {r['query_ms']:.1f} "
            f"| {r['torch']} |"
        )


def memory_probe(repo: Path, limit: int, runtime: str) -> None:
    texts = texts_of(read_commits(repo, limit))
    embedder = MiniLMEmbedder(runtime=runtime)
    embedder.embed(texts[:64])
    start = time.perf_counter()
    embedder.embed(texts)
    batch_rate = len(texts) / (time.perf_counter() - start)
    queries = [t.split("\n", 1)[0][:80] for t in texts[:30]]
    start = time.perf_counter()
    for query in queries:
        embedder.embed([query])
    query_ms = (time.perf_counter() - start) / len(queries) * 1000
    peak = next(
        int(line.split()[1]) / 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    result = {"peak_mb": peak, "rate": batch_rate, "query_ms": query_ms}
    print(json.dumps({**result, "torch": "torch" in sys.modules}))


def _fmt(rates: list[float]) -> str:
    return ", ".join(f"{r:.1f}" for r in rates)


# -- quality of the text length -------------------------------------------------

_ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def query_of(fragment: str) -> str:
    """The first sentence of a changelog fragment, without reStructuredText markup."""
    text = _ROLE.sub(r"\1", fragment)
    text = re.sub(r"`+", "", text)
    text = " ".join(text.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0][:300]


def changelog_queries(repo: Path) -> list[tuple[str, str]]:
    """(sha of the commit that added a changelog fragment, first sentence of it)."""
    out = subprocess.run(
        [
            *("git", "-C", str(repo), "log", "--diff-filter=A", "--format=%x1e%H", "--name-only"),
            *("--", "changelog/*.rst", "changelog/*.md"),
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    queries = []
    for record in out.split("\x1e")[1:]:
        sha, *paths = [line for line in record.split("\n") if line]
        for path in paths:
            if not re.match(r"changelog/\d+\.", path):
                continue  # the template and the README are not about a commit
            shown = subprocess.run(
                ["git", "-C", str(repo), "show", f"{sha}:{path}"],
                capture_output=True,
                text=True,
                check=False,
            )
            query = query_of(shown.stdout)
            if shown.returncode == 0 and len(query) >= 20:
                queries.append((sha, query))
    return queries


def rank_metrics(
    query_vectors: npt.NDArray[np.float32],
    corpus_vectors: npt.NDArray[np.float32],
    targets: list[int],
) -> tuple[float, float]:
    """Mean reciprocal rank and recall@10 of each query's own commit."""
    scores = query_vectors @ corpus_vectors.T
    own = scores[np.arange(len(targets)), targets]
    ranks = 1 + (scores > own[:, None]).sum(axis=1)
    return float(np.mean(1.0 / ranks)), float(np.mean(ranks <= 10))


def _variant(max_chars: int, paths: str = "none") -> Callable[[Commit], str]:
    def text(c: Commit) -> str:
        if paths == "none":
            return commit_text(c.subject, c.body, max_chars=max_chars, with_paths=False)
        shown = c.paths
        if paths == "no changelog":
            shown = tuple(p for p in c.paths if not p.startswith("changelog/"))
        return commit_text(c.subject, c.body, shown, max_chars=max_chars)

    return text


# The text-length candidates: label -> how a commit becomes text.
VARIANTS: dict[str, Callable[[Commit], str]] = {
    "subject only": lambda c: c.subject,
    "subject+body 150": _variant(150),
    "subject+body 300": _variant(300),
    "subject+body 600": _variant(600),
    "subject+body 1000": _variant(1000),
    "subject+body all": _variant(1_000_000),
    "300 + paths": _variant(300, "summary"),
    # The commits the queries come from added changelog/NNNN.*.rst, and the
    # summary names it: this row shows how much of the paths' gain is that leak.
    "300 + paths -chlog": _variant(300, "no changelog"),
    "600 + paths": _variant(600, "summary"),
}
LONG_MESSAGE = 300  # chars of subject + cleaned body from which the cut can matter


class CachedEmbedder:
    """MiniLM with a memo: most commits' texts are the same in every variant."""

    def __init__(self, embedder: MiniLMEmbedder) -> None:
        self.embedder = embedder
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                self.vectors[text] = vector
        return np.stack([self.vectors[t] for t in texts])


def quality(
    repo: Path, corpus_size: int, max_queries: int, rounds: int, minilm: CachedEmbedder | None
) -> None:
    pairs = changelog_queries(repo)
    if not pairs:
        print(f"\n## Text length: {repo} has no changelog/NNNN.*.rst fragments; skipped")
        return
    history = read_commits(repo)
    by_sha = {c.sha: c for c in history}
    rng = random.Random(20240601)
    pairs = [p for p in pairs if p[0] in by_sha]
    rng.shuffle(pairs)
    pairs = pairs[:max_queries]
    targets = {sha for sha, _ in pairs}
    others = [c for c in history if c.sha not in targets]
    fill = max(0, corpus_size - len(targets))
    corpus = [by_sha[s] for s in sorted(targets)] + rng.sample(others, min(fill, len(others)))
    index = {c.sha: i for i, c in enumerate(corpus)}
    target_rows = [index[sha] for sha, _ in pairs]
    queries = [q for _, q in pairs]
    full = _variant(1_000_000)
    long_queries = [i for i, (sha, _) in enumerate(pairs) if len(full(by_sha[sha])) > LONG_MESSAGE]
    print(
        f"\n## Text length: {len(queries)} changelog sentences -> the commit that added them, "
        f"among {len(corpus)} commits of {repo}"
    )
    print(
        f"MRR and recall@10 over all queries, and over the {len(long_queries)} whose commit "
        f"message is longer than {LONG_MESSAGE} chars (where the cut can matter); cost over "
        f"the whole history of {len(history)} commits"
    )
    if minilm is not None:
        query_vectors = minilm.embedder.embed(queries)

    def scores(query_vecs: npt.NDArray[np.float32], corpus_vecs: npt.NDArray[np.float32]) -> str:
        mrr, r10 = rank_metrics(query_vecs, corpus_vecs, target_rows)
        long_mrr, long_r10 = rank_metrics(
            query_vecs[long_queries], corpus_vecs, [target_rows[i] for i in long_queries]
        )
        return f"{mrr:6.3f} {long_mrr:6.3f} {r10:5.2f} {long_r10:5.2f}"

    header = f"{'text':<18} {'chars':>5} {'tokens':>6}  hashing MRR/long R@10/long"
    if minilm is not None:
        header += "   MiniLM MRR/long R@10/long"
    print(header)
    for label, make_text in VARIANTS.items():
        texts = [make_text(c) for c in corpus]
        history_texts = [make_text(c) for c in history]
        chars = statistics.fmean(len(t) for t in history_texts)
        hashing = HashingEmbedder().fit(texts)
        line = f"{label:<18} {chars:5.0f}"
        if minilm is not None:
            line += f" {statistics.fmean(token_counts(minilm.embedder, history_texts)):6.1f}"
        else:
            line += f" {'-':>6}"
        line += "  " + scores(hashing.embed(queries), hashing.embed(texts))
        if minilm is not None:
            line += "   " + scores(query_vectors, minilm.embed(texts))
        print(line, flush=True)
    if minilm is not None:
        cost(minilm.embedder, history, rng, rounds)


def cost(
    embedder: MiniLMEmbedder, history: Sequence[Commit], rng: random.Random, rounds: int
) -> None:
    """MiniLM's time per variant, relative to the chosen cut, on the same commits."""
    sample = rng.sample(list(history), min(256, len(history)))
    # Long messages are rare, so a random sample barely shows what the cut
    # costs where it applies: time a sample of long ones as well.
    full = _variant(1_000_000)
    long_sample = [c for c in history if len(full(c)) > LONG_MESSAGE][:128]
    chosen = f"subject+body {MAX_COMMIT_TEXT_CHARS}"
    print(
        f"\nMiniLM time relative to '{chosen}' (median of per-batch ratios, variants taking "
        f"turns on each batch of 32, {rounds} rounds): {len(sample)} random commits, and "
        f"{len(long_sample)} with messages over {LONG_MESSAGE} chars"
    )
    labels = list(VARIANTS)
    relative: dict[str, dict[str, float]] = {"random": {}, "long": {}}
    rates: dict[str, float] = {}
    for name, commits in (("random", sample), ("long", long_sample)):
        seconds: dict[str, list[float]] = {label: [] for label in labels}
        for r in range(rounds):
            for first in range(0, len(commits), 32):
                batch = commits[first : first + 32]
                shift = (r + first // 32) % len(labels)
                for label in labels[shift:] + labels[:shift]:
                    texts = [VARIANTS[label](c) for c in batch]
                    start = time.perf_counter()
                    embedder.embed(texts)
                    seconds[label].append(time.perf_counter() - start)
        for label in labels:
            pairs = zip(seconds[label], seconds[chosen], strict=True)
            relative[name][label] = statistics.median(t / base for t, base in pairs)
            if name == "random":
                rates[label] = len(commits) * rounds / sum(seconds[label])
    print(f"{'text':<18} {'random':>7} {'long':>7} {'random texts/s':>15}")
    for label in labels:
        print(
            f"{label:<18} {relative['random'][label]:7.2f} {relative['long'][label]:7.2f} "
            f"{rates[label]:15.1f}"
        )


def labelled_quality(
    repo: Path, labelled: Path, corpus_size: int, minilm: CachedEmbedder | None
) -> None:
    """The same variants on hand-labelled queries: {"queries": [{"query", "accepted"}]}."""
    history = read_commits(repo)
    by_sha = {c.sha: c for c in history}
    entries = json.loads(labelled.read_text())["queries"]
    queries = [e["query"] for e in entries]
    accepted = [{sha for sha in e["accepted"] if sha in by_sha} for e in entries]
    wanted = set().union(*accepted)
    rng = random.Random(20240601)
    others = [c for c in history if c.sha not in wanted]
    fill = min(max(0, corpus_size - len(wanted)), len(others))
    corpus = [by_sha[s] for s in sorted(wanted)] + rng.sample(others, fill)
    shas = [c.sha for c in corpus]
    print(
        f"\n## Text length on {len(queries)} hand-written queries ({labelled.name}) "
        f"-> any accepted commit, among {len(corpus)} commits; MRR@10 and recall@10"
    )

    def at_10(
        query_vectors: npt.NDArray[np.float32], corpus_vectors: npt.NDArray[np.float32]
    ) -> str:
        top = np.argsort(-(query_vectors @ corpus_vectors.T), axis=1)[:, :10]
        ranks = [
            next((r + 1 for r, j in enumerate(row) if shas[j] in ok), None)
            for row, ok in zip(top, accepted, strict=True)
        ]
        mrr = statistics.fmean(1 / r if r else 0.0 for r in ranks)
        recall = statistics.fmean(1.0 if r else 0.0 for r in ranks)
        return f"{mrr:6.3f} {recall:5.2f}"

    header = f"{'text':<18}  hashing MRR R@10"
    if minilm is not None:
        header += "   MiniLM MRR R@10"
        query_vectors = minilm.embedder.embed(queries)
    print(header)
    for label, make_text in VARIANTS.items():
        texts = [make_text(c) for c in corpus]
        hashing = HashingEmbedder().fit(texts)
        line = f"{label:<18}       " + at_10(hashing.embed(queries), hashing.embed(texts))
        if minilm is not None:
            line += "       " + at_10(query_vectors, minilm.embed(texts))
        print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_repo = DEFAULT_REPO if DEFAULT_REPO.is_dir() else Path.cwd()
    parser.add_argument("--repo", type=Path, default=default_repo)
    parser.add_argument("--limit", type=int, default=1000, help="commits to time (newest first)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quality", action="store_true", help="also measure the text length")
    parser.add_argument("--corpus", type=int, default=3000, help="commits searched, --quality")
    parser.add_argument("--queries", type=int, default=2000, help="changelog queries, --quality")
    parser.add_argument(
        "--labelled",
        type=Path,
        default=DEFAULT_LABELLED if DEFAULT_LABELLED.is_file() else None,
        help="hand-labelled queries for --quality (default: bench/search_queries.json)",
    )
    parser.add_argument("--memory-probe", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.memory_probe:
        memory_probe(args.repo, args.limit, args.memory_probe)
        return 0
    commits = read_commits(args.repo, args.limit)
    print(f"# hookwise embedding benchmark: {args.repo}, {len(commits)} commits")
    throughput(texts_of(commits), args.rounds)
    if neural_available():
        memory(args.repo, args.limit)
    if args.quality:
        minilm = None
        if neural_available():
            loaded = get_embedder("minilm")
            assert isinstance(loaded, MiniLMEmbedder)
            minilm = CachedEmbedder(loaded)
        quality(args.repo, args.corpus, args.queries, args.rounds, minilm)
        if args.labelled is not None:
            labelled_quality(args.repo, args.labelled, args.corpus, minilm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
