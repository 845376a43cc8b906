"""Suggestion quality replayed on real histories: top-1 and top-3 per iteration, with baselines.

For each history, the fixes are mined the way a user gets them, with
``hookwise fix learn`` on a clone, and exported (``hookwise fix export``).
The attempts are ordered by time and cut into ``--iterations`` chunks
holding equal numbers of commits (``--split attempts``: of attempts, where
one mass commit can fill an iteration and decide its accuracy). For each
iteration k from 1: the attempts of iteration k-1 are recorded into a
fresh store through ``hookwise fix record`` (so before k the store holds
everything earlier, and nothing later), and the findings of iteration k's
successful fixes are given to ``hookwise suggest --json``
on stdin. A suggestion is right when its ``strategy`` is the one the
history applied. Scored side by side, from the same history before k:

- ``global majority``: the most frequent successful strategies overall;
- ``rule majority``: the most frequent for the same tool and rule (then
  the global ones), the baseline the recommender must beat.

It prints top-1 and top-3 per iteration and overall, per finding and with
each commit's findings counting once (a commit is one decision, however
many findings it fixed), and a reliability table of the first
suggestion's ``confidence`` against how often it was right, both ways.
``--ablate`` scores the recommender's design choices one at a time
in-process, over the same stores (``hookwise.fixes.recommend``).

Held out: the sets are fixed in ``SETS`` before any tuning. ``pytest`` is
the set the recommender's parameters may be chosen on; ``flask`` is only
ever scored. Mined attempts are cached under
``$TMPDIR/hookwise-replay-bench`` by the history's HEAD and the recipe.

    python bench/replay.py                       # both sets
    python bench/replay.py --set pytest --iterations 15
    python bench/replay.py --repo PATH --name mine
    python bench/replay.py --in-memory --ablate  # the same iterations, in seconds
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from replay_memory import Tally as Score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hookwise.learning.baselines import (  # noqa: E402 (shared with eval)
    Baselines,
    chunks,
    commit_chunks,
)

SPLITS = {"commits": commit_chunks, "attempts": chunks}

SETS = {
    # name: (where the history is, its role)
    "pytest": ("/work/.mirror/pytest-dev+pytest/repo", "tuning"),
    "flask": ("/work/.mirror/pallets+flask/repo", "held out"),
}
CACHE = Path(tempfile.gettempdir()) / "hookwise-replay-bench"
BINS = 10


def hookwise(args: Sequence[str], cwd: Path, *, stdin: bytes | None = None, **extra: str) -> bytes:
    """Run the real command, as a user does; its stderr shows through."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **extra}
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", *args],
        cwd=cwd,
        input=stdin,
        stdout=subprocess.PIPE,
        env=env,
        check=True,
    )
    return proc.stdout


def mine(source: str, name: str, tools: Sequence[str]) -> list[dict[str, Any]]:
    """The fix attempts ``hookwise fix learn`` finds in ``source``'s history, cached."""
    head = subprocess.run(
        ["git", "-C", source, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    cached = CACHE / f"{name}-{head[:12]}-{'-'.join(tools)}.jsonl"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="hookwise-replay-") as tmp:
            clone = Path(tmp) / name
            subprocess.run(
                ["git", "clone", "--quiet", "--no-local", "--no-checkout", source, str(clone)],
                check=True,
            )
            started = time.perf_counter()
            learn = ["fix", "learn"] + [arg for tool in tools for arg in ("--tool", tool)]
            hookwise(learn, clone, HOOKWISE_NO_WORKER="1")  # the clone is deleted after
            took = time.perf_counter() - started
            commits = subprocess.run(
                ["git", "-C", str(clone), "rev-list", "--count", "--no-merges", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            print(f"{name}: fix learn over {commits} commits took {took:.0f} s", file=sys.stderr)
            cached.write_bytes(hookwise(["fix", "export"], clone, HOOKWISE_NO_WORKER="1"))
    rows = [json.loads(line) for line in cached.read_text().splitlines() if line.strip()]
    attempts = [named(row) for row in rows if row.get("confirms") is None]
    attempts.sort(key=lambda row: (row["time"], row["id"]))
    return attempts


def named(row: dict[str, Any]) -> dict[str, Any]:
    """A mined attempt with the strategy today's ``describe`` gives its diff.

    ``fix learn`` names a fix ``describe(diff)`` of the hunk it stores (every
    one of the 8,615 cached pytest and flask fixes: the same name and kind),
    so naming the cached diffs again is what mining again would give, in a
    second instead of five minutes, and a cache outlives a change of naming.
    """
    from hookwise.fixes.strategy import describe

    if row.get("source") != "auto" or not row.get("diff"):
        return row
    strategy = describe(row["diff"])
    return {**row, "strategy": strategy.name, "kind": strategy.kind}


def finding_of(row: dict[str, Any]) -> dict[str, Any]:
    finding = {
        "tool": row["tool"],
        "rule": row["rule"],
        "message": row["message"],
        "path": row["path"],
        "line": None,
    }
    for key in ("snippet", "language"):
        if row.get(key) is not None:
            finding[key] = row[key]
    return finding


def record_line(row: dict[str, Any]) -> str:
    line: dict[str, Any] = {
        "finding": finding_of(row),
        "strategy": row["strategy"],
        "kind": row["kind"],
        "outcome": row["outcome"] if row["outcome"] != "pending" else "failure",
        "time": datetime.fromtimestamp(row["time"], UTC).isoformat(),
        "diff": row.get("diff"),
        "commit": row.get("commit"),
    }
    if row.get("context"):
        line["context"] = json.loads(row["context"])
    return json.dumps(line, ensure_ascii=False)


def wait_for_vectors(repo: Path, timeout: float = 1800) -> None:
    """Until the worker has embedded every recorded attempt (it does so when idle)."""
    from hookwise.git.repo import discover
    from hookwise.search.state import store_embedder
    from hookwise.store import fixes as table
    from hookwise.store.db import Store

    paths = discover(repo)
    embedder, _ = store_embedder(paths)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store = Store.open(paths, readonly=True)
        if not table.fix_attempts_without_vector(store, embedder.id, 1):
            return
        time.sleep(0.5)
    raise SystemExit(f"{repo}: attempts still wait for vectors after {timeout:.0f} s")


def ablate(
    repo: Path, parts: Sequence[Sequence[dict[str, Any]]], configs: dict[str, Any]
) -> dict[str, Score]:
    """Each configuration in-process over one store holding every attempt, read as of
    each iteration's start (``before``): the same history the command saw, and the
    findings embedded once for all configurations."""
    from hookwise.checks.findings import Finding
    from hookwise.fixes.recommend import finding_text
    from hookwise.fixes.suggest import load_index, suggest_with
    from hookwise.git.repo import discover
    from hookwise.search.state import store_embedder
    from hookwise.store.db import Store

    paths = discover(repo)
    embedder, _ = store_embedder(paths)
    store = Store.open(paths, readonly=True)
    scores = {label: Score() for label in [*configs, "rule majority", "global majority"]}
    baselines = Baselines()
    for k in range(1, len(parts)):
        baselines.learn(parts[k - 1])
        wanted = [row for row in parts[k] if row["outcome"] == "success"]
        if not wanted:
            continue
        for row in wanted:
            scores["rule majority"].add(row["strategy"], baselines.rule_top(row))
            scores["global majority"].add(row["strategy"], baselines.global_top())
        findings = [Finding.from_json(finding_of(row)) for row in wanted]
        texts = [finding_text(f.tool, f.rule, f.message, f.snippet) for f in findings]
        queries = embedder.embed(texts)
        before = int(parts[k][0]["time"])
        for label, config in configs.items():
            index = load_index(store, embedder, config, embed_limit=0, before=before)
            answers = suggest_with(store, index, findings, queries, config, limit=3)
            for row, answer in zip(wanted, answers, strict=True):
                scores[label].add(row["strategy"], [s.strategy for s in answer.suggestions])
    return scores


def ablations() -> dict[str, Any]:
    """Each design choice of ``RecommendConfig`` switched off, one at a time."""
    from dataclasses import replace

    from hookwise.fixes.recommend import RecommendConfig

    base = RecommendConfig()
    return {
        "defaults": base,
        "before (floor 0.3, the newest 100 alone, no fill)": replace(
            base, similarity_floor=0.3, memory_share=0.0, common_fill=0
        ),
        "no neighbours (rule prior only)": replace(base, neighbours=0),
        "no rule prior (neighbours only)": replace(base, prior_weight=0.0),
        "outcomes ignored (failures do not count)": replace(base, failure_weight=0.0),
        "other languages count fully": replace(base, cross_language_weight=1.0),
        # Tuned on pytest only (the held-out set is only ever scored):
        "neighbours 20 (the first default)": replace(base, neighbours=20),
        "loose neighbours vote (floor 0.3, the last default)": replace(base, similarity_floor=0.3),
        "other rules do not count": replace(base, other_rule_weight=0.0),
        "prior weight 1.0": replace(base, prior_weight=1.0),
        "the newest 100 alone (no memory, the last default)": replace(base, memory_share=0.0),
        "half the prior from the memory": replace(base, memory_share=0.5),
        "the memory counts every attempt": replace(base, memory_batch_power=0.0),
        "the memory counts each commit once": replace(base, memory_batch_power=1.0),
        "empty places stay empty (no common fill)": replace(base, common_fill=0),
        "the rule's 50 newest vote": replace(base, prior_recent=50),
        "a commit's n fixes at a rule count sqrt(n)": replace(base, batch_power=0.5),
        "similarity cubed": replace(base, similarity_power=3.0),
    }


def replay(
    name: str,
    rows: list[dict[str, Any]],
    iterations: int,
    ablations: dict[str, Any] | None = None,
    keep: Path | None = None,
    split: str = "commits",
) -> dict[str, Any]:
    ablations = ablations or {}
    ablated: dict[str, Score] = {}
    parts = SPLITS[split](rows, iterations)
    if keep is not None and (keep / name / ".git" / "hookwise").is_dir():
        # A store a previous run kept, holding every attempt: only the in-process
        # configurations are scored again (how the defaults were tuned on pytest).
        return {
            "name": name,
            "attempts": len(rows),
            "iterations": [],
            "overall": {},
            "reliability": [],
            "ablations": {
                label: score.rates()
                for label, score in ablate(keep / name, parts, ablations).items()
            },
        }
    methods = ("hookwise", "rule majority", "global majority")
    per_iteration: list[dict[str, Any]] = []
    totals = {method: Score() for method in methods}
    reliability: list[tuple[float, bool]] = []
    baselines = Baselines()
    with tempfile.TemporaryDirectory(prefix=f"hookwise-replay-{name}-") as tmp:
        repo = keep / name if keep is not None else Path(tmp) / "store"
        subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
        (repo / "README").write_text("the store of a replay\n")
        subprocess.run(["git", "-C", str(repo), "add", "README"], check=True)
        who = ["-c", "user.name=replay", "-c", "user.email=replay@example.com"]
        subprocess.run(["git", "-C", str(repo), *who, "commit", "-qm", "replay"], check=True)
        hookwise(["init"], repo)
        # A worker left running by an earlier run would answer with its own code.
        hookwise(["worker", "--stop"], repo)
        hookwise(["worker", "--detach"], repo)  # it embeds the attempts, as a user's does
        hookwise(["reindex", "--quiet"], repo)  # the store's embedder, as a user's store has one
        for k in range(1, iterations):
            earlier = parts[k - 1]
            data = "".join(record_line(row) + "\n" for row in earlier).encode()
            hookwise(["fix", "record", "-"], repo, stdin=data)
            wait_for_vectors(repo)
            baselines.learn(earlier)
            wanted = [row for row in parts[k] if row["outcome"] == "success"]
            if not wanted:
                continue
            findings = "".join(json.dumps(finding_of(row)) + "\n" for row in wanted).encode()
            answers = [
                json.loads(line)
                for line in hookwise(["suggest", "--json"], repo, stdin=findings).splitlines()
                if line.strip()
            ]
            if len(answers) == 1 and isinstance(answers[0], list):
                answers = answers[0]
            scores = {method: Score() for method in methods}
            for row, answer in zip(wanted, answers, strict=True):
                suggestions = answer["suggestions"]
                ranked = [s["strategy"] for s in suggestions]
                scores["hookwise"].add(row["strategy"], ranked)
                scores["rule majority"].add(row["strategy"], baselines.rule_top(row))
                scores["global majority"].add(row["strategy"], baselines.global_top())
                if suggestions:
                    first = suggestions[0]
                    reliability.append((first["confidence"], first["strategy"] == row["strategy"]))
            for method in methods:
                totals[method].top1 += scores[method].top1
                totals[method].top3 += scores[method].top3
                totals[method].total += scores[method].total
            per_iteration.append(
                {
                    "iteration": k,
                    "history": sum(len(p) for p in parts[:k]),
                    "scored": len(wanted),
                    **{method: scores[method].rates() for method in methods},
                }
            )
        if ablations:
            last = "".join(record_line(row) + "\n" for row in parts[-1]).encode()
            hookwise(["fix", "record", "-"], repo, stdin=last)
            wait_for_vectors(repo)
            ablated = ablate(repo, parts, ablations)
        hookwise(["worker", "--stop"], repo)
    return {
        "name": name,
        "attempts": len(rows),
        "iterations": per_iteration,
        "overall": {method: totals[method].rates() for method in methods},
        "reliability": table(reliability),
        "ablations": {label: score.rates() for label, score in ablated.items()},
    }


def table(pairs: Sequence[tuple[float, bool]]) -> list[dict[str, Any]]:
    """Bins of the first suggestion's confidence: how many, mean confidence, how many right."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for confidence, right in pairs:
        bins[min(BINS - 1, int(confidence * BINS))].append((confidence, right))
    out = []
    for i, members in enumerate(bins):
        if members:
            out.append(
                {
                    "bin": f"{i / BINS:.1f}-{(i + 1) / BINS:.1f}",
                    "count": len(members),
                    "confidence": sum(c for c, _ in members) / len(members),
                    "accuracy": sum(r for _, r in members) / len(members),
                }
            )
    return out


def show(result: dict[str, Any], role: str) -> None:
    methods = list(result["overall"])
    print(f"\n## {result['name']} ({role}): {result['attempts']} attempts mined")
    if methods:
        _curves(result, methods)
    if result["ablations"]:
        print("\n| recommender | top-1 | top-3 |")
        print("|---|---|---|")
        for label, (top1, top3) in result["ablations"].items():
            print(f"| {label} | {top1:.3f} | {top3:.3f} |")
    if result["reliability"]:
        print("\n| confidence | suggestions | mean confidence | right |")
        print("|---|---|---|---|")
    for row in result["reliability"]:
        print(
            f"| {row['bin']} | {row['count']} | {row['confidence']:.2f} | {row['accuracy']:.2f} |"
        )


def _curves(result: dict[str, Any], methods: list[str]) -> None:
    print(
        "| iteration | history | scored | "
        + " | ".join(f"{m} top-1 / top-3" for m in methods)
        + " |"
    )
    print("|---|---|---|" + "---|" * len(methods))
    for row in result["iterations"]:
        cells = " | ".join(f"{row[m][0]:.3f} / {row[m][1]:.3f}" for m in methods)
        print(f"| {row['iteration']} | {row['history']} | {row['scored']} | {cells} |")
    cells = " | ".join(f"**{v[0]:.3f} / {v[1]:.3f}**" for v in result["overall"].values())
    print(f"| all | | | {cells} |")


def in_memory(
    name: str,
    role: str,
    rows: list[dict[str, Any]],
    iterations: int,
    ablate: bool,
    quiet: bool,
    split: str = "commits",
) -> dict[str, Any]:
    import replay_memory
    from hookwise.fixes.recommend import RecommendConfig

    configs = ablations() if ablate else {"defaults": RecommendConfig()}
    matrix, embedder_id = replay_memory.vectors(name, rows, CACHE)
    parts = SPLITS[split](rows, iterations)
    scored = replay_memory.score(rows, parts, matrix, embedder_id, configs)
    figures = replay_memory.report(name, role, len(rows), scored)
    if not quiet:
        replay_memory.show(figures, "defaults")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="default: all")
    parser.add_argument("--repo", help="a history of your own instead of the sets")
    parser.add_argument("--name", default="repo")
    parser.add_argument("--tool", action="append", help="checkers to mine with (default ruff)")
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument(
        "--split",
        choices=sorted(SPLITS),
        default="commits",
        help="cut the history into iterations of equal numbers of commits (default), or "
        "of attempts (a mass commit can then be an iteration of its own)",
    )
    parser.add_argument("--json", action="store_true", help="write the results as JSON")
    parser.add_argument(
        "--ablate", action="store_true", help="also score each design choice switched off"
    )
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="score in this process (bench/replay_memory.py): seconds, not half an hour",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the replay's store in this folder; a later run with --ablate finds it "
        "there and scores only the configurations again",
    )
    args = parser.parse_args()
    tools = args.tool or ["ruff"]
    chosen = (
        [(args.name, args.repo, "yours")]
        if args.repo
        else [(name, SETS[name][0], SETS[name][1]) for name in (args.set or sorted(SETS))]
    )
    results = []
    for name, source, role in chosen:
        rows = mine(source, name, tools)
        if args.in_memory:
            results.append(
                in_memory(name, role, rows, args.iterations, args.ablate, args.json, args.split)
            )
            continue
        configs = ablations() if args.ablate else None
        result = replay(name, rows, args.iterations, configs, args.keep, args.split)
        result["role"] = role
        results.append(result)
        if not args.json:
            show(result, role)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main()
