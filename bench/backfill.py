"""Backfill against `git log --numstat` on one history: full, incremental, conflict checks.

    python bench/backfill.py REPO [--runs 3]
    python bench/backfill.py --history git --runs 1 --check-seconds 120
    python bench/backfill.py --history git --incremental-only

REPO (or a named history: pytest, flask, git, read from the local mirrors)
is cloned bare into a temporary folder (objects hard-linked, so the
original is never touched). Each run, interleaved so that machine load
cancels out, times `git log --numstat` over the same commits and then
`hookwise backfill` in a fresh process on a fresh store, and records the
backfill process's peak RSS. Then:

- incremental: the default branch is rewound by `--incremental` first-parent
  steps in a single-branch clone, backfilled, moved forward again (80 steps:
  a pull of 303 commits on git.git), and `hookwise backfill` is timed
  `--incremental-runs` times each way from the same stored state, as a
  command answered by a warm worker and as a command running in its own
  process (`--foreground`), against `git log --numstat` over the same range
  in the same run (`--incremental-only` skips the full backfills);
- conflict checks: the worker's child (`python -m hookwise.worker.conflicts`,
  niced, one `git merge-tree --stdin` per core) answers the merges the full
  backfill left pending, for at most `--check-seconds`; its rate is printed,
  and `--verify` answered merges are compared one by one with
  `git merge-tree --write-tree`.

Budgets (DESIGN §6): full backfill within 1.5x the wall time of `git log
--numstat` on a big history (git.git) and peak RSS at most 600 MB; at least
2,000 commits/s on pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hookwise.git.repo import discover  # noqa: E402

HISTORIES = {
    "pytest": "/work/.mirror/pytest-dev+pytest/repo",
    "flask": "/work/.mirror/pallets+flask/repo",
    "git": "/work/.mirror/git+git/repo",
}
BACKFILL = (
    "import resource, sys, time, warnings; t = time.perf_counter()\n"
    "warnings.simplefilter('ignore')\n"
    "import lancedb; imported = time.perf_counter() - t\n"
    "from hookwise.git.repo import discover\n"
    "from hookwise.history.backfill import backfill\n"
    "r = backfill(discover(sys.argv[1]))\n"
    "print(imported, r.commits, r.merges, r.pending_checks,"
    " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, r.seconds)\n"
)


#: The worker's state (socket, pid, registry) for this run only, set by ``main``; no
#: backfill here starts a worker of its own (HOOKWISE_NO_WORKER), the one that
#: answers the incremental runs is started by ``incremental``.
STATE = Path()


def env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "HOOKWISE_STATE_DIR": str(STATE),
        "HOOKWISE_NO_WORKER": "1",
    }


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, bytes, int, float]:
    """Wall seconds, stdout, peak RSS (KB) and CPU seconds (user + system) of the
    process and the children it waited for. CPU seconds hold on a loaded machine,
    where wall time depends on how many cores the others leave."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, env=env())
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{cmd[:3]} failed with {proc.returncode}")
    return time.perf_counter() - started, out, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def git_log(repo: Path, *revs: str) -> tuple[float, float]:
    """Wall and CPU seconds of ``git log --numstat``."""
    seconds, _, _, cpu = timed(
        ["git", "log", *(revs or ("--branches", "HEAD")), "--numstat", "--format=%x1e%H"], repo
    )
    return seconds, cpu


def backfill(repo: Path, fresh: bool = True) -> dict[str, float]:
    """`hookwise backfill` in a fresh process (as a user runs it)."""
    if fresh:
        subprocess.run(["rm", "-rf", str(discover(repo).hookwise_dir)], check=True)
    seconds, out, tree_rss, cpu = timed([sys.executable, "-c", BACKFILL, str(repo)])
    imported, commits, merges, pending, self_rss, inner = out.split()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "import_seconds": float(imported),
        "inner_seconds": float(inner),
        "commits": int(commits),
        "merges": int(merges),
        "pending": int(pending),
        "self_mb": int(self_rss) / 1024,
        "tree_mb": tree_rss / 1024,
    }


#: The command as a user runs it; on exit it says whether this process loaded
#: lancedb (when the worker answered, it did not).
COMMAND = (
    "import sys\nfrom hookwise.cli import run\n"
    "sys.argv = ['hookwise', 'backfill', *sys.argv[1:]]\n"
    "try:\n    run()\nfinally:\n    print('lancedb' in sys.modules, file=sys.stderr)\n"
)
SUMMARY = re.compile(r"backfilled ([\d,]+) commits? \(([\d,]+) merges?.* in ([\d.]+)s")


def command(repo: Path, *options: str) -> tuple[float, float, bool]:
    """Wall seconds of `hookwise backfill`, the seconds its summary states, whether it
    loaded lancedb."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", COMMAND, "--repo", str(repo), *options],
        capture_output=True,
        text=True,
        env=env(),
        check=True,
    )
    seconds = time.perf_counter() - started
    found = SUMMARY.search(proc.stdout)
    assert found, proc.stdout + proc.stderr
    return seconds, float(found[3]), proc.stderr.split()[-1] == "True"


def incremental(source: Path, tmp: Path, steps: int, runs: int) -> dict[str, Any]:
    """A fetch of ``steps`` first-parent steps, backfilled by the command through a
    warm worker and in its own process, from the same stored state each time."""
    clone = tmp / "incremental.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--single-branch", str(source), str(clone)], check=True
    )
    head = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    tip = subprocess.run(
        ["git", "rev-parse", head], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "update-ref", head, f"{tip}~{steps}"], cwd=clone, check=True)
    backfill(clone)
    hookwise_dir = discover(clone).hookwise_dir
    before = tmp / "incremental-store"
    shutil.copytree(hookwise_dir, before)
    # The worker is not told of this store (no hook registered it), so it does
    # no background work on it: the figures are a settled worker's.
    worker = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "worker", "--foreground"], env=env()
    )
    try:
        deadline = time.monotonic() + 60
        while not (STATE / "worker.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        command(clone)  # the worker opens this store, as it has when it serves its hooks
        subprocess.run(["git", "update-ref", head, tip], cwd=clone, check=True)
        new = subprocess.run(
            ["git", "rev-list", "--count", f"{tip}~{steps}..{tip}"],
            cwd=clone,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        merges = subprocess.run(
            ["git", "rev-list", "--merges", "--parents", f"{tip}~{steps}..{tip}"],
            cwd=clone,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        pairs = "".join(" ".join(line.split()[1:3]) + "\n" for line in merges).encode()
        figures: dict[str, list[float]] = {
            k: [] for k in ("git", "merge_tree", "worker", "worker_inner", "here", "here_inner")
        }
        via_worker = True
        for _ in range(runs):
            figures["git"].append(git_log(clone, f"{tip}~{steps}..{tip}")[0])
            started = time.perf_counter()
            subprocess.run(
                ["git", "merge-tree", "--write-tree", "--stdin"],
                cwd=clone,
                input=pairs,
                capture_output=True,
                check=True,
            )
            figures["merge_tree"].append(time.perf_counter() - started)
            for way, options in (("worker", ()), ("here", ("--foreground",))):
                shutil.rmtree(hookwise_dir)
                shutil.copytree(before, hookwise_dir)
                seconds, inner, loaded = command(clone, *options)
                figures[way].append(seconds)
                figures[f"{way}_inner"].append(inner)
                if way == "worker":
                    via_worker &= not loaded
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    result: dict[str, Any] = {k: statistics.median(v) for k, v in figures.items()}
    result.update(commits=int(new), merges=len(merges), via_worker=via_worker)
    return result


def check_conflicts(repo: Path, seconds: float) -> dict[str, float]:
    """The worker's child on the pending merges, stopped after ``seconds`` if not done."""
    hookwise_dir = discover(repo).hookwise_dir
    proc = subprocess.Popen(
        [sys.executable, "-m", "hookwise.worker.conflicts", str(hookwise_dir)], env=env()
    )
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return dict(json.loads((hookwise_dir / "store" / "conflicts.json").read_text()))


def verify(repo: Path, sample: int) -> tuple[int, int]:
    """(agreeing, compared): answered merges against `git merge-tree --write-tree`, one by one."""
    from hookwise.store.db import Store

    store = Store.open(discover(repo), readonly=True)
    rows = store.read(
        "commits", "is_merge AND had_conflicts IS NOT NULL", ["sha", "parents", "had_conflicts"]
    ).to_pylist()
    rows = random.Random(14).sample(rows, min(sample, len(rows)))
    agree = 0
    for row in rows:
        p1, p2 = row["parents"][:2]
        code = subprocess.run(
            ["git", "merge-tree", "--write-tree", p1, p2], cwd=repo, capture_output=True
        ).returncode
        agree += (code == 1) == row["had_conflicts"]
    return agree, len(rows)


def print_full(
    source: Path, runs: list[dict[str, float]], base: list[float], base_cpu: list[float]
) -> None:
    last = runs[-1]
    hw, git = statistics.median(r["seconds"] for r in runs), statistics.median(base)
    hw_cpu = statistics.median(r["cpu"] for r in runs)
    git_cpu = statistics.median(base_cpu)
    peak = max(r["self_mb"] for r in runs)
    print(
        f"repository:             {source} ({last['commits']:,.0f} commits, "
        f"{last['merges']:,.0f} merges), median of {len(runs)} interleaved runs"
    )
    print(f"git log --numstat:      {git:8.1f} s")
    print(
        f"hookwise backfill:      {hw:8.1f} s  {last['commits'] / hw:8,.0f} commits/s  "
        f"({last['pending']:,.0f} merges left to the worker)"
    )
    print(f"ratio backfill/git log: {hw / git:8.2f}  wall (budget <= 1.5 on a big history)")
    print(
        f"CPU seconds:            {hw_cpu:8.1f} s backfill (git children included) against "
        f"{git_cpu:.1f} s git log; ratio {hw_cpu / git_cpu:.2f}"
    )
    print(
        f"peak RSS of backfill:   {peak:8.0f} MB  (its git children: "
        f"{max(r['tree_mb'] for r in runs):.0f} MB; budget <= 600)"
    )


def print_incremental(inc: dict[str, Any], runs: int) -> None:
    print(
        f"incremental:            {inc['commits']:,} new commits, {inc['merges']:,} merges "
        f"checked at once; median of {runs} interleaved runs\n"
        f"  git log --numstat of them: {inc['git']:6.2f} s\n"
        f"  git merge-tree of merges:  {inc['merge_tree']:6.2f} s (one process, as backfill)\n"
        f"  backfill, warm worker:     {inc['worker']:6.2f} s command, "
        f"{inc['worker_inner']:.1f} s in the worker's backfill(); "
        f"ratio {inc['worker'] / inc['git']:.1f} to git log"
        f"{'' if inc['via_worker'] else ' (NOT answered by the worker)'}\n"
        f"  backfill, in-process:      {inc['here']:6.2f} s command, "
        f"{inc['here_inner']:.1f} s in backfill(); ratio {inc['here'] / inc['git']:.1f} to git log"
    )


def main() -> None:
    global STATE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, nargs="?")
    parser.add_argument("--repo", dest="repo_option", type=Path)
    parser.add_argument("--history", choices=sorted(HISTORIES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--incremental", type=int, default=80, help="first-parent steps")
    parser.add_argument("--incremental-runs", type=int, default=5)
    parser.add_argument(
        "--incremental-only", action="store_true", help="skip the full backfills and checks"
    )
    parser.add_argument("--check-seconds", type=float, default=600.0)
    parser.add_argument("--verify", type=int, default=300, help="merges compared with git")
    args = parser.parse_args()
    source = args.repo or args.repo_option or (args.history and Path(HISTORIES[args.history]))
    if source is None:
        parser.error("give REPO, --repo PATH or --history NAME")
    with tempfile.TemporaryDirectory() as tmp:
        STATE = Path(tmp) / "state"
        clone = Path(tmp) / "repo.git"
        subprocess.run(["git", "clone", "-q", "--bare", "--local", str(source), clone], check=True)
        base, base_cpu, runs = [], [], []
        for _ in range(0 if args.incremental_only else args.runs):
            wall, cpu = git_log(clone)
            base.append(wall)
            base_cpu.append(cpu)
            runs.append(backfill(clone))
        inc = incremental(clone, Path(tmp), args.incremental, args.incremental_runs)
        if runs:
            checks = check_conflicts(clone, args.check_seconds) if runs[-1]["pending"] else {}
            agree, compared = verify(clone, args.verify)
    if runs:
        print_full(source, runs, base, base_cpu)
    print_incremental(inc, args.incremental_runs)
    if runs:
        if checks:
            print(
                f"conflict checks:        {checks.get('rate') or 0:8.1f} merges/s (worker child, "
                f"niced) over {checks['checked']:,} merges; {checks['pending']:,} still pending"
            )
        print(f"flags vs merge-tree:    {agree} of {compared} sampled answered merges agree")


if __name__ == "__main__":
    main()
