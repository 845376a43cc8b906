"""`hookwise metrics` over 100k commits, warm, against a pure-Arrow baseline.

    python bench/metrics.py [--commits 100000] [--switches 20000] [--runs 7]

Builds a store in a temporary folder by writing Arrow rows straight into its
LanceDB tables (no git: a synthetic history of ~3 years, 40 authors in seven
time zones, 60 branches, 10% merges of which 15% conflicted, a mix of
conventional and free-form messages, 1% rewritten commits), then times, in
the same process and interleaved:

- hookwise: ``metrics.metrics(store)``, i.e. reading the columns from LanceDB
  and computing every figure of ``hookwise metrics --json``;
- baseline: the same read, then the core aggregates (daily, per author, per
  branch, per hour and weekday, merges and conflicts with hotspots,
  conventional compliance by type, switches per branch, sessions) with
  ``pyarrow.compute`` group-bys and nothing else.

"Warm" means lancedb is imported and the store opened (one run is thrown
away first), as in the worker or a second command. The budget (issue: ≤ 1 s
warm at 100k commits) is on hookwise's median; the ratio to the baseline is
what to watch on a shared machine whose absolute times drift.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hookwise.capture.locations import RepoPaths
from hookwise.insights import metrics
from hookwise.insights.counting import EPOCH
from hookwise.insights.windows import Filters
from hookwise.store import schema
from hookwise.store.db import Store

START = 1_600_000_000  # 2020-09-13
SPAN = 3 * 365 * 86_400
TIME_ZONES = np.array([-480, -300, -180, 0, 60, 120, 330], dtype=np.int32)
TYPES = ["feat", "fix", "docs", "refactor", "test", "chore", "ci", "perf", "build"]


def _lists(rng: np.random.Generator, lengths: Any, pool: list[str]) -> pa.Array:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    values = pa.array(pool).take(pa.array(rng.integers(0, len(pool), int(offsets[-1]))))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def synthetic_commits(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    committer_time = np.sort(START + rng.integers(0, SPAN, n)).astype(np.int64)
    # Most commits are committed when authored; some were rebased or picked later.
    author_time = committer_time - np.where(rng.random(n) < 0.2, rng.integers(0, 3 * 86_400, n), 0)
    author = rng.integers(0, 40, n)
    tz = TIME_ZONES[author % len(TIME_ZONES)]
    is_merge = rng.random(n) < 0.10
    had_conflicts = np.where(is_merge, rng.random(n) < 0.15, False)
    kind = rng.random(n)
    category = np.where(
        is_merge,
        "merge",
        np.where(kind < 0.55, "conventional", np.where(kind < 0.57, "revert", "nonconforming")),
    )
    valid = category == "conventional"
    cc_type = pc.if_else(
        pa.array(valid),
        pa.array(TYPES).take(pa.array(rng.integers(0, len(TYPES), n))),
        pa.scalar(None, pa.string()),
    )
    paths_pool = [f"src/pkg{i % 40}/module{i}.py" for i in range(2000)]
    branches = pa.array([f"feature/b{i}" for i in range(59)] + ["main"])
    branch = branches.take(pa.array(rng.integers(0, 60, n)))
    branch = pc.if_else(pa.array(rng.random(n) < 0.05), pa.scalar(None, pa.string()), branch)
    names = pa.array([f"Author {i}" for i in range(40)])
    emails = pa.array([f"author{i}@example.com" for i in range(40)])
    shas = pa.array([f"{i:040x}" for i in range(n)])
    conflict_lengths = np.where(had_conflicts, rng.integers(1, 4, n), 0)
    columns: dict[str, Any] = {
        "sha": shas,
        "parents": _lists(rng, np.where(is_merge, 2, 1), [f"{i:040x}" for i in range(1000)]),
        "is_merge": pa.array(is_merge),
        "had_conflicts": pc.if_else(
            pa.array(is_merge), pa.array(had_conflicts), pa.scalar(None, pa.bool_())
        ),
        "conflict_paths": _lists(rng, conflict_lengths, paths_pool[:200]),
        "author_name": names.take(pa.array(author)),
        "author_email": emails.take(pa.array(author)),
        "author_time": pa.array(author_time),
        "author_tz": pa.array(tz),
        "committer_name": names.take(pa.array(author)),
        "committer_email": emails.take(pa.array(author)),
        "committer_time": pa.array(committer_time),
        "committer_tz": pa.array(tz),
        "branch": branch,
        "subject": pa.array([f"change {i}" for i in range(n)]),
        "body": pa.array([""] * n),
        "cc_category": pa.array(category),
        "cc_type": cc_type,
        "cc_scope": pa.nulls(n, pa.string()),
        "cc_breaking": pa.array(valid & (rng.random(n) < 0.03)),
        "cc_valid": pa.array(valid),
        "files_changed": pa.array(rng.integers(1, 6, n).astype(np.int32)),
        "insertions": pa.array(rng.integers(0, 200, n).astype(np.int32)),
        "deletions": pa.array(rng.integers(0, 100, n).astype(np.int32)),
        "paths": _lists(rng, rng.integers(1, 6, n), paths_pool),
        "source": pa.array(["backfill"] * n),
        "action": pa.nulls(n, pa.string()),
        "rewritten": pa.array(rng.random(n) < 0.01),
        "captured_at": pa.array(np.full(n, START + SPAN, dtype=np.int64)),
    }
    return pa.Table.from_pydict(columns).cast(schema.COMMITS)


def synthetic_switches(n: int, seed: int = 8) -> pa.Table:
    rng = np.random.default_rng(seed)
    names = pa.array([f"feature/b{i}" for i in range(59)] + ["main"])
    columns: dict[str, Any] = {
        "id": pa.array([f"reflog-{i:024x}" for i in range(n)]),
        "time": pa.array(np.sort(START + rng.integers(0, SPAN, n)).astype(np.int64)),
        "tz": pa.array(np.full(n, 60, dtype=np.int32)),
        "kind": pa.array(np.where(rng.random(n) < 0.95, "switch", "detach")),
        "from": names.take(pa.array(rng.integers(0, 60, n))),
        "to": names.take(pa.array(rng.integers(0, 60, n))),
        "from_sha": pa.nulls(n, pa.string()),
        "to_sha": pa.nulls(n, pa.string()),
        "rewrites": pa.array([[]] * n, schema.REF_EVENTS.field("rewrites").type),
        "worktree": pa.array(np.where(rng.random(n) < 0.9, "", "wt"), pa.string()),
        "source": pa.array(["backfill"] * n),
    }
    return pa.Table.from_pydict(columns).cast(schema.REF_EVENTS)


def build_store(folder: Path, commits: int, switches: int) -> Store:
    paths = RepoPaths(worktree=None, git_dir=folder, common_dir=folder, hooks_dir=folder / "hooks")
    store = Store.open(paths)
    with store.lock():
        store.add("commits", synthetic_commits(commits))
        store.add("ref_events", synthetic_switches(switches))
        store.optimize()
    return store


def baseline(store: Store) -> dict[str, Any]:
    """The core aggregates with pyarrow.compute group-bys only."""
    c = metrics.load(store).commits
    events = store.read("ref_events", columns=list(metrics.REF_EVENT_COLUMNS))
    c = c.filter(pc.invert(pc.fill_null(c["rewritten"], False)))
    local = pc.add(c["committer_time"], pc.multiply(pc.cast(c["committer_tz"], pa.int64()), 60))
    day = pc.divide(local, 86_400)  # the synthetic history is after 1970: floor == trunc
    c = c.append_column("day", day)
    c = c.append_column("hour", pc.divide(pc.subtract(local, pc.multiply(day, 86_400)), 3600))
    c = c.append_column(
        "weekday", pc.subtract(pc.add(day, 3), pc.multiply(pc.divide(pc.add(day, 3), 7), 7))
    )
    c = c.append_column("email", pc.utf8_lower(c["author_email"]))
    eligible = pc.is_in(c["cc_category"], pa.array(["conventional", "nonconforming"]))
    merges = c.filter(c["is_merge"])
    conflicted = merges.filter(pc.fill_null(merges["had_conflicts"], False))
    by_author_time = c.select(["email", "author_time"]).sort_by(
        [("email", "ascending"), ("author_time", "ascending")]
    )
    gaps = pc.pairwise_diff(by_author_time["author_time"].combine_chunks())
    same = pc.equal(
        by_author_time["email"].combine_chunks()[1:], by_author_time["email"].combine_chunks()[:-1]
    )
    new_sessions = pc.sum(pc.or_(pc.invert(same), pc.greater(gaps[1:], 7200))).as_py() + 1
    switches = events.filter(pc.equal(events["kind"], "switch"))
    return {
        "daily": c.group_by("day").aggregate([("day", "count")]),
        "by_author": c.group_by("email").aggregate([("email", "count")]),
        "by_branch": c.group_by("branch").aggregate([([], "count_all")]),
        "by_hour": c.group_by("hour").aggregate([("hour", "count")]),
        "by_weekday": c.group_by("weekday").aggregate([("weekday", "count")]),
        "merges": merges.num_rows,
        "conflicted": conflicted.num_rows,
        "hotspots": pc.value_counts(pc.list_flatten(conflicted["conflict_paths"])),
        "eligible": pc.sum(eligible).as_py(),
        "compliant": pc.sum(pc.and_(eligible, c["cc_valid"])).as_py(),
        "by_type": c.filter(c["cc_valid"]).group_by("cc_type").aggregate([("cc_type", "count")]),
        "switches": switches.group_by("to").aggregate([("to", "count")]),
        "sessions": new_sessions,
    }


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--switches", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hookwise-bench-metrics-") as tmp:
        started = time.perf_counter()
        store = build_store(Path(tmp), args.commits, args.switches)
        print(
            f"store: {store.count('commits'):,} commits, {store.count('ref_events'):,} ref events "
            f"(built in {time.perf_counter() - started:.1f}s)"
        )
        # The first call pays for first reads, caches and lazy imports.
        first_call = time.perf_counter()
        result = metrics.metrics(store)
        first_call = time.perf_counter() - first_call
        baseline(store)
        ours: list[float] = []
        theirs: list[float] = []
        reads: list[float] = []
        for _ in range(args.runs):
            ours.append(timed(lambda: metrics.metrics(store)))
            theirs.append(timed(lambda: baseline(store)))
            reads.append(timed(lambda: metrics.load(store)))
        history = metrics.load(store)
        compute_only = statistics.median(
            timed(lambda: metrics.compute(history, Filters(), today=EPOCH))
            for _ in range(args.runs)
        )

    ours_ms = statistics.median(ours) * 1000
    theirs_ms = statistics.median(theirs) * 1000
    print(
        f"velocity {result.velocity.commits:,} commits over {result.velocity.days} days, "
        f"{result.merges.count:,} merges ({result.merges.conflicted:,} conflicted), "
        f"{result.branch_switches.count:,} switches, {result.sessions.count:,} sessions"
    )
    rows = [
        ("hookwise metrics, first call", f"{first_call * 1000:8.1f} ms"),
        (f"hookwise metrics, warm (median of {args.runs})", f"{ours_ms:8.1f} ms"),
        ("  of which reading the store", f"{statistics.median(reads) * 1000:8.1f} ms"),
        ("  of which computing", f"{compute_only * 1000:8.1f} ms"),
        ("baseline, pyarrow group-bys (same run)", f"{theirs_ms:8.1f} ms"),
        ("ratio hookwise / baseline", f"{ours_ms / theirs_ms:8.2f}x"),
    ]
    for label, value in rows:
        print(f"{label:<42}{value}")
    verdict = "within" if ours_ms <= 1000 else "OVER"
    print(f"budget ≤ 1000 ms warm at {args.commits:,} commits: {verdict}")


if __name__ == "__main__":
    main()
