"""What `hookwise check` adds to a checker: `hookwise check -- CMD` against `CMD`.

    python bench/check.py [--runs 20] [-- CMD ARGS...]

CMD (by default `true`, so the figure is hookwise's own cost alone) runs in
a fresh temporary repository, alternately alone and through `hookwise
check`, so both see the same machine load; the first run of each is a
warm-up and not counted. Prints the median and spread of each, the
difference and the ratio. The budget (issue 10) is 50 ms added, with the
worker warm; the figure includes starting Python, importing the CLI and
storing the run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("command", nargs="*", default=["true"])
    args = parser.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory(prefix="hookwise-bench-check-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
            "HOOKWISE_STATE_DIR": str(Path(tmp) / "state"),
        }
        through = [sys.executable, "-m", "hookwise", "check", "--", *args.command]
        alone: list[float] = []
        checked: list[float] = []
        for run in range(args.runs + 1):
            a = timed(args.command, repo, env)
            c = timed(through, repo, env)
            if run:  # the first pair warms caches
                alone.append(a)
                checked.append(c)
    ms = [statistics.median(x) * 1000 for x in (alone, checked)]
    spread = [(min(x) * 1000, max(x) * 1000) for x in (alone, checked)]
    print(f"command: {' '.join(args.command)}  ({args.runs} runs each, interleaved)")
    for name, median, (low, high) in zip(("alone", "hookwise check"), ms, spread, strict=True):
        print(f"  {name:<15} median {median:8.1f} ms   (min {low:.1f}, max {high:.1f})")
    added, ratio = ms[1] - ms[0], ms[1] / ms[0] if ms[0] else float("inf")
    print(f"  added          {added:8.1f} ms   ratio {ratio:.1f}x")


if __name__ == "__main__":
    main()
