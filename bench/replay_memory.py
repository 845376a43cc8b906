"""The replay of ``bench/replay.py`` in memory: the same iterations, scored in seconds.

The command replay records every iteration through ``hookwise fix
record``, waits for the worker to embed it and asks ``hookwise suggest``:
about half an hour for pytest's 6,975 mined fixes on 2 shared cores. The
recommender's arithmetic needs none of that: this module embeds each
distinct finding text once with the same embedder (cached beside the mined
attempts, by the texts and the embedder id), builds the index the worker
would build of the attempts recorded before each iteration
(``hookwise.fixes.index.build_index``, calibration included) and ranks the
iteration's findings with ``votes`` and ``choose``, as ``suggest_with``
does. So a configuration is scored in about ten seconds on pytest. On the
same mined fixes at c7d28d9 the two agreed within 0.004: pytest top-1/top-3
0.199/0.306 here against 0.203/0.306 through the commands, flask
0.081/0.176 against 0.080/0.178 (the store's vectors come from the worker's
batches, these from one call: float32 cosines differ in the last digits,
and ties between strategies can fall the other way).

It also measures what the command replay cannot: per iteration, how many
findings had a rule seen before, and accuracy on those alone, so "the
curve rises with history" is judged on the findings history can speak to.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

BINS = 10
#: Buckets of "attempts at the finding's rule before it": the learning curve per rule.
SUPPORT = ((0, 0), (1, 9), (10, 49), (50, 199), (200, 10**9))


def bucket(count: int) -> str:
    low, high = next((lo, hi) for lo, hi in SUPPORT if lo <= count <= hi)
    return str(low) if low == high else f"{low}+" if high >= 10**9 else f"{low}-{high}"


@dataclass
class Tally:
    """Top-1 and top-3 hits over some findings."""

    top1: int = 0
    top3: int = 0
    total: int = 0

    def add(self, truth: str, ranked: Sequence[str]) -> None:
        self.total += 1
        self.top1 += bool(ranked) and ranked[0] == truth
        self.top3 += truth in ranked[:3]

    def rates(self) -> tuple[float, float]:
        return (self.top1 / self.total, self.top3 / self.total) if self.total else (0.0, 0.0)


@dataclass
class Scored:
    """One configuration over one history: overall, per iteration, and its pairs of
    (first suggestion's confidence, was it right)."""

    overall: Tally = field(default_factory=Tally)
    seen_rule: Tally = field(default_factory=Tally)  # findings whose rule was seen before
    # By how many attempts at the finding's rule the store held before it.
    by_support: dict[str, Tally] = field(default_factory=dict)
    iterations: list[dict[str, Any]] = field(default_factory=list)
    confidences: list[tuple[float, bool]] = field(default_factory=list)
    every: list[tuple[float, bool]] = field(default_factory=list)  # all three suggestions'
    # Per question, in order: (iteration, its commit, top-1 hit, top-3 hit), and the
    # commit of each of ``confidences``: what weighting each commit once reads.
    questions: list[tuple[int, int, bool, bool]] = field(default_factory=list)
    confidence_commits: list[int] = field(default_factory=list)


def by_commit(questions: Sequence[tuple[int, int, bool, bool]]) -> tuple[float, float]:
    """Top-1 and top-3 with each commit's questions counting once in total.

    A mass commit is one decision repeated, not hundreds of evidence: one
    pytest commit holds 1,647 of its 6,979 mined fixes.
    """
    if not questions:
        return 0.0, 0.0
    sizes = Counter(commit for _, commit, _, _ in questions)
    weight = np.array([1.0 / sizes[commit] for _, commit, _, _ in questions])
    top1 = np.array([hit for _, _, hit, _ in questions], np.float64)
    top3 = np.array([hit for _, _, _, hit in questions], np.float64)
    return float(top1 @ weight / weight.sum()), float(top3 @ weight / weight.sum())


def vectors(name: str, rows: Sequence[dict[str, Any]], cache: Path) -> tuple[Any, str]:
    """Each row's finding vector by the store's default embedder (MiniLM), and its id."""
    from hookwise.embed.registry import EMBEDDERS, EmbedderOptions
    from hookwise.fixes.recommend import finding_text

    embedder = EMBEDDERS["minilm"](EmbedderOptions())
    texts = [finding_text(r["tool"], r["rule"], r["message"], r.get("snippet")) for r in rows]
    distinct = sorted(set(texts))
    digest = hashlib.sha256("\0".join([embedder.id, *distinct]).encode()).hexdigest()[:12]
    path = cache / f"{name}-vectors-{digest}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = np.asarray(embedder.embed(distinct), np.float32)
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    where = {text: i for i, text in enumerate(distinct)}
    return matrix[[where[t] for t in texts]], embedder.id


def score(
    rows: Sequence[dict[str, Any]],
    parts: Sequence[Sequence[dict[str, Any]]],
    matrix: Any,
    embedder_id: str,
    configs: dict[str, Any],
) -> dict[str, Scored]:
    """Every configuration over the iterations of ``parts`` (chunks of ``rows``)."""
    from hookwise.fixes.attempt import FixAttempt
    from hookwise.fixes.index import build_index
    from hookwise.fixes.memory import CurrentAttempt

    attempts = [CurrentAttempt(FixAttempt.from_json(_attempt(r)), r["outcome"], None) for r in rows]
    results = {label: Scored() for label in [*configs, "rule majority", "global majority"]}
    by_rule: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    start = 0
    for k in range(1, len(parts)):
        for row in parts[k - 1]:
            if row["outcome"] == "success":
                overall[row["strategy"]] += 1
                by_rule[(row["tool"], row["rule"])][row["strategy"]] += 1
        start += len(parts[k - 1])
        wanted = [start + i for i, r in enumerate(parts[k]) if r["outcome"] == "success"]
        if not wanted:
            continue
        seen_rules = Counter((r["tool"], r["rule"]) for r in rows[:start])
        common = [name for name, _ in overall.most_common(3)]
        for label in ("rule majority", "global majority"):
            tally = Tally()
            for i in wanted:
                ranked = common
                if label == "rule majority":
                    ranked = [
                        s for s, _ in by_rule[(rows[i]["tool"], rows[i]["rule"])].most_common(3)
                    ]
                    ranked += [s for s in common if s not in ranked][: 3 - len(ranked)]
                tally.add(rows[i]["strategy"], ranked)
                results[label].overall.add(rows[i]["strategy"], ranked)
                results[label].questions.append(_question(k, rows[i], ranked))
                before = bucket(seen_rules[(rows[i]["tool"], rows[i]["rule"])])
                results[label].by_support.setdefault(before, Tally()).add(
                    rows[i]["strategy"], ranked
                )
            results[label].iterations.append(
                {"iteration": k, "history": start, "scored": tally.total, "all": tally.rates()}
            )
        for label, config in configs.items():
            index = build_index(
                attempts[:start], matrix[:start], np.ones(start, np.bool_), embedder_id, config
            )
            columns = index.columns
            ballot, _ = index.votes(
                matrix[wanted],
                [columns.rule_code(rows[i]["tool"], rows[i]["rule"]) for i in wanted],
                [columns.language_code(rows[i].get("language")) for i in wanted],
                config,
            )
            chosen = index.choose(ballot, [rows[i]["tool"] for i in wanted], config, limit=3)
            tally, seen = Tally(), Tally()
            scored = results[label]
            for i, choices in zip(wanted, chosen, strict=True):
                truth = rows[i]["strategy"]
                ranked = [columns.strategies.names[c.strategy] for c in choices]
                tally.add(truth, ranked)
                scored.overall.add(truth, ranked)
                before = seen_rules[(rows[i]["tool"], rows[i]["rule"])]
                scored.by_support.setdefault(bucket(before), Tally()).add(truth, ranked)
                if before:
                    seen.add(truth, ranked)
                    scored.seen_rule.add(truth, ranked)
                shown = index.calibration.confidences([c.raw for c in choices])
                pairs = zip(shown, ranked, strict=True)
                scored.every.extend((p, name == truth) for p, name in pairs)
                scored.questions.append(_question(k, rows[i], ranked))
                if choices:
                    scored.confidences.append((shown[0], ranked[0] == truth))
                    scored.confidence_commits.append(int(rows[i]["time"]))
            scored.iterations.append(
                {
                    "iteration": k,
                    "history": start,
                    "scored": tally.total,
                    "seen rule": seen.total,
                    "all": tally.rates(),
                    "seen": seen.rates(),
                }
            )
    return results


def _question(k: int, row: dict[str, Any], ranked: Sequence[str]) -> tuple[int, int, bool, bool]:
    """A mined commit's fixes share its time: the time names the commit."""
    truth = row["strategy"]
    return k, int(row["time"]), bool(ranked) and ranked[0] == truth, truth in ranked[:3]


def _attempt(row: dict[str, Any]) -> dict[str, Any]:
    from hookwise.fixes.attempt import FIX_ATTEMPT_COLUMNS

    return {key: row.get(key) for key in FIX_ATTEMPT_COLUMNS}


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y on x (accuracy per thousand attempts of history)."""
    if len(points) < 2:
        return 0.0
    x = np.array([p[0] for p in points], np.float64)
    y = np.array([p[1] for p in points], np.float64)
    return float(np.polyfit(x, y, 1)[0])


def load(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    attempts = [row for row in rows if row.get("confirms") is None]
    attempts.sort(key=lambda row: (row["time"], row["id"]))
    return attempts


def report(name: str, role: str, attempts: int, results: dict[str, Scored]) -> dict[str, Any]:
    """The figures of one history as JSON: what ``show`` prints."""
    from hookwise.fixes.calibration import calibration_error, commit_weights, reliability

    def curve(scored: Scored) -> list[tuple[float, float]]:
        return [(it["history"] / 1000, it["all"][1]) for it in scored.iterations]

    def commit_curve(scored: Scored) -> list[tuple[float, float]]:
        return [(it["history"] / 1000, it["by commit"][1]) for it in scored.iterations]

    for scored in results.values():
        for it in scored.iterations:
            asked = [q for q in scored.questions if q[0] == it["iteration"]]
            it["by commit"] = by_commit(asked)
            it["commits"] = len({q[1] for q in asked})

    def weighted(s: Scored) -> list[Any]:
        return reliability(s.confidences, weights=commit_weights(s.confidence_commits))

    return {
        "name": name,
        "role": role,
        "attempts": attempts,
        "configurations": {
            label: {
                "overall": s.overall.rates(),
                "seen rule": s.seen_rule.rates(),
                "top-3 slope per 1,000 attempts": slope(curve(s)),
                "by commit": by_commit(s.questions),
                "top-3 by commit slope per 1,000 attempts": slope(commit_curve(s)),
                "iterations": s.iterations,
                "by rule history": {
                    b: (t.total, *t.rates())
                    for b, t in sorted(s.by_support.items(), key=lambda kv: _low(kv[0]))
                },
                "ece first": calibration_error(reliability(s.confidences)),
                "ece all three": calibration_error(reliability(s.every)),
                "reliability": [b.to_json() for b in reliability(s.confidences)],
                "ece first by commit": calibration_error(weighted(s)),
                "reliability by commit": [b.to_json() for b in weighted(s)],
            }
            for label, s in results.items()
        },
    }


def _low(label: str) -> int:
    return int(label.split("-")[0].rstrip("+"))


def show(figures: dict[str, Any], defaults: str) -> None:
    """The figures as markdown tables (docs/suggest.md quotes them)."""
    configs = figures["configurations"]
    ours, rule = configs[defaults], configs["rule majority"]
    print(f"\n## {figures['name']} ({figures['role']}): {figures['attempts']} attempts mined\n")
    print(
        "| configuration | top-1 / top-3 | by commit | top-3, rule seen before "
        "| top-3 trend per 1k (by commit) |"
    )
    print("|---|---|---|---|---|")
    for label, c in configs.items():
        (t1, t3), (c1, c3), (_, s3) = c["overall"], c["by commit"], c["seen rule"]
        seen = f"{s3:.3f}" if c["seen rule"] != (0.0, 0.0) else ""
        trend = c["top-3 slope per 1,000 attempts"]
        commit_trend = c["top-3 by commit slope per 1,000 attempts"]
        print(
            f"| {label} | {t1:.3f} / {t3:.3f} | {c1:.3f} / {c3:.3f} | {seen} "
            f"| {trend:+.3f} ({commit_trend:+.3f}) |"
        )
    print(
        "\n| iteration | history | scored | commits | hookwise top-1 / top-3 "
        "| by commit | rule majority | by commit |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for it, base in zip(ours["iterations"], rule["iterations"], strict=True):
        a, b, ac, bc = it["all"], base["all"], it["by commit"], base["by commit"]
        print(
            f"| {it['iteration']} | {it['history']} | {it['scored']} | {it['commits']} "
            f"| {a[0]:.3f} / {a[1]:.3f} | {ac[0]:.3f} / {ac[1]:.3f} "
            f"| {b[0]:.3f} / {b[1]:.3f} | {bc[0]:.3f} / {bc[1]:.3f} |"
        )
    print("\n| attempts at the rule before | findings | hookwise top-1 / top-3 | rule majority |")
    print("|---|---|---|---|")
    for bucket_, (n, t1, t3) in ours["by rule history"].items():
        _, r1, r3 = rule["by rule history"][bucket_]
        print(f"| {bucket_} | {n} | {t1:.3f} / {t3:.3f} | {r1:.3f} / {r3:.3f} |")
    print(
        f"\nECE, first suggestion {ours['ece first']:.3f} per finding, "
        f"{ours['ece first by commit']:.3f} by commit; all three {ours['ece all three']:.3f}"
    )
    print(
        "\n| confidence | suggestions | mean confidence | right "
        "| commits | by commit: mean, right |"
    )
    print("|---|---|---|---|---|---|")
    for row, weighted in zip(ours["reliability"], ours["reliability by commit"], strict=True):
        if row["count"]:
            print(
                f"| {row['low']:.1f}-{row['high']:.1f} | {row['count']} "
                f"| {row['confidence']:.2f} | {row['accuracy']:.2f} | {weighted['weight']:.1f} "
                f"| {weighted['confidence']:.2f}, {weighted['accuracy']:.2f} |"
            )
