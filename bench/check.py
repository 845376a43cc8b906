"""What `hookwise check` adds to a checker: `hookwise check -- CMD` against `CMD`.

    python bench/check.py [--runs 20] [--cold] [-- CMD ARGS...]

CMD (by default `true`, so the figure is hookwise's own cost alone) runs in
a fresh temporary repository, alternately alone and through `hookwise
check`, so both see the same machine load; the first run of each is a
warm-up and not counted. Prints the median and spread of each, the
difference and the ratio. The budget (issue 10, DESIGN §6) is 50 ms added
with the worker warm, parsing and suggestions included: by default a worker
is started first, serving the temporary repository, and stopped at the end;
before each pair the bench waits (untimed) until the worker has stored the
runs so far, as at a commit, where the check finds the worker idle
(`--cold` leaves the worker out, and none is started).

`--failing` runs a checker that fails with one finding
(`printf 'mod.py:1: [E1] bad\\n'; exit 1` in the generic format), so every
run also asks the worker for suggestions.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

FAILING = ["sh", "-c", "printf 'mod.py:1: [E1] bad\\n'; exit 1"]


def timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


def start_worker(repo: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A worker serving ``repo``, answering on its socket once this returns."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "worker", "--foreground", "--idle", "600"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    ping = "from hookwise.capture import rpc; import sys; sys.exit(rpc.call('ping', {}) is None)"
    deadline = time.monotonic() + 120
    while subprocess.run([sys.executable, "-c", ping], env=env, check=False).returncode:
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit("the worker did not start")
        time.sleep(0.2)
    # One check through it, so the repository is registered and its store open.
    subprocess.run(
        [sys.executable, "-m", "hookwise", "check", "--", "true"],
        cwd=repo,
        env=env,
        check=True,
    )
    return worker


def drained(repo: Path, timeout: float = 30.0) -> None:
    """Wait (untimed) until the worker has stored the runs spooled so far.

    A check at a commit finds the worker idle; back to back, each check
    would compete with the worker storing the one before (a LanceDB write
    on one of two cores), which is another figure than the budget's.
    """
    spool = repo / ".git" / "hookwise" / "spool"
    deadline = time.monotonic() + timeout
    while any(spool.glob("check-run-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # and its next poll, so it is idle, not between two steps


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="no warm worker")
    parser.add_argument("--failing", action="store_true", help="a failing checker")
    parser.add_argument("command", nargs="*", default=["true"])
    args = parser.parse_args(argv)
    command = FAILING if args.failing else args.command
    src = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory(prefix="hookwise-bench-check-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / "mod.py").write_text("import os\n")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
            "HOOKWISE_STATE_DIR": str(Path(tmp) / "state"),
        }
        # As installed: the warm-up run writes the bytecode the others read
        # (compiling hookwise's modules afresh costs ~60 ms a run).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.cold:
            env["HOOKWISE_NO_WORKER"] = "1"
        worker = None if args.cold else start_worker(repo, env)
        # What the `hookwise` console script runs (pip writes exactly this,
        # with `re` to clean argv[0]); `python -m hookwise` adds runpy's ~5 ms.
        script = "import re, sys; from hookwise.cli import run; sys.exit(run())"
        through = [sys.executable, "-c", script, "check", "--", *command]
        alone: list[float] = []
        checked: list[float] = []
        try:
            for run in range(args.runs + 1):
                if worker is not None:
                    drained(repo)
                a = timed(command, repo, env)
                c = timed(through, repo, env)
                if run:  # the first pair warms caches
                    alone.append(a)
                    checked.append(c)
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
    ms = [statistics.median(x) * 1000 for x in (alone, checked)]
    spread = [(min(x) * 1000, max(x) * 1000) for x in (alone, checked)]
    state = "cold (no worker)" if args.cold else "warm worker"
    print(f"command: {' '.join(command)}  ({args.runs} runs each, interleaved, {state})")
    for name, median, (low, high) in zip(("alone", "hookwise check"), ms, spread, strict=True):
        print(f"  {name:<15} median {median:8.1f} ms   (min {low:.1f}, max {high:.1f})")
    added, ratio = ms[1] - ms[0], ms[1] / ms[0] if ms[0] else float("inf")
    print(f"  added          {added:8.1f} ms   ratio {ratio:.1f}x   (budget: 50 ms added)")


if __name__ == "__main__":
    main()
