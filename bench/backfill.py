"""Backfill throughput against `git log --numstat` (and PyDriller) on one repository.

    python bench/backfill.py REPO [--runs 3] [--pydriller-commits 2000]

REPO is cloned bare into a temporary folder (objects hard-linked, so the
original is never touched); hookwise backfills it into a fresh store on each
run. The baseline is `git log --numstat` over the same commits, in the same
run, interleaved with hookwise's runs; PyDriller, when installed, reads a
prefix of the history (it is much slower). The budget (DESIGN §6) is
≥ 2,000 commits/s for metadata with diff stats and conflict checks; the
figures include importing lancedb and writing the store.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hookwise.git.repo import discover


def git_log_baseline(repo: Path) -> tuple[float, int]:
    started = time.perf_counter()
    out = subprocess.run(
        ["git", "log", "--branches", "HEAD", "--numstat", "--format=%x1e%H"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    return time.perf_counter() - started, out.count(b"\x1e")


def hookwise_backfill(repo: Path) -> tuple[float, int, int]:
    """Run backfill in a fresh process (a user's `hookwise backfill`), fresh store."""
    shutil.rmtree(discover(repo).hookwise_dir, ignore_errors=True)
    code = (
        "import sys, time; t = time.perf_counter()\n"
        "from hookwise.git.repo import discover\n"
        "from hookwise.history.backfill import backfill\n"
        "r = backfill(discover(sys.argv[1]))\n"
        "print(time.perf_counter() - t, r.commits, r.merges)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(repo)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def compacted_size(repo: Path) -> int:
    """The store's size after `hookwise gc --keep 0`."""
    from datetime import timedelta

    from hookwise.store.db import Store

    store = Store.open(discover(repo))
    store.optimize(prune_older_than=timedelta(0))
    return store.size_bytes()


def pydriller_rate(repo: Path, limit: int) -> float | None:
    try:
        from pydriller import Repository
    except ImportError:
        return None
    started = time.perf_counter()
    n = 0
    for commit in Repository(str(repo), only_in_branch=None).traverse_commits():
        _ = commit.insertions, commit.deletions, commit.files
        n += 1
        if n >= limit:
            break
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pydriller-commits", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "repo.git"
        subprocess.run(
            ["git", "clone", "-q", "--bare", "--local", str(args.repo), str(clone)], check=True
        )
        baseline: list[float] = []
        ours: list[float] = []
        commits = merges = 0
        for _ in range(args.runs):
            seconds, commits_git = git_log_baseline(clone)
            baseline.append(commits_git / seconds)
            seconds, commits, merges = hookwise_backfill(clone)
            ours.append(commits / seconds)
        pyd = pydriller_rate(args.repo, args.pydriller_commits)
        size_per_commit = compacted_size(clone) / max(1, commits)
    hw, base = statistics.median(ours), statistics.median(baseline)
    print(f"repository:            {args.repo} ({commits} commits, {merges} merges)")
    print(f"hookwise backfill:     {hw:8,.0f} commits/s  (diff stats + conflict check per merge)")
    print(f"git log --numstat:     {base:8,.0f} commits/s  (diff stats only)")
    print(f"ratio hookwise/git:    {hw / base:8.2f}")
    if pyd is not None:
        print(f"PyDriller:             {pyd:8,.0f} commits/s  (first {args.pydriller_commits})")
        print(f"ratio hookwise/PyDriller: {hw / pyd:5.1f}x")
    print(f"store after compaction:  {size_per_commit:8,.0f} bytes/commit (budget <= 2,048)")
    verdict = "within" if hw >= 2000 else "OVER"
    print(f"budget >= 2,000 commits/s: {verdict} budget (median of {args.runs} runs)")


if __name__ == "__main__":
    main()
