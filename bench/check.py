"""What `hookwise check` adds to a checker: `hookwise check -- CMD` against `CMD`.

    python bench/check.py [--runs 20] [--cold] [-- CMD ARGS...]

CMD (by default `true`, so the figure is hookwise's own cost alone) runs in
a fresh temporary repository, alternately alone and through `hookwise
check`, so both see the same machine load; the first run of each is a
warm-up and not counted. Prints the median and spread of each, the
difference and the ratio, and, timed in the same rounds, a bare start of
the interpreter as the console script makes it (`python -c "import re,
sys"`), the part of the added time that is Python's, not hookwise's. The
budget (issue 10, DESIGN §6) is 50 ms added with the worker warm, parsing
and suggestions included: by default a worker is started first, serving
the temporary repository, and stopped at the end;
before each pair the bench waits (untimed) until the worker has stored the
runs so far, as at a commit, where the check finds the worker idle
(`--cold` leaves the worker out, and none is started).

`--failing` runs a checker that fails with one finding
(`printf 'mod.py:1: [E1] bad\\n'; exit 1` in the generic format), so every
run also asks the worker for suggestions.

`--memory N` gives the repository fix memory first, so the check really
gets suggestions: its history is put in the store (`hookwise init`), N
generated fix attempts (`bench/suggest.py`'s, ruff's F401 the most common
rule) are recorded through `hookwise fix record`, and the bench waits
(untimed) until the worker has embedded the commits and the attempts.
The command is then `ruff check .` by default, which fails on `mod.py`'s
unused import. After each timed pair, the bench asks the worker's `suggest`
itself, as the check does, and prints that answer's time (a round trip from
a process already running) next to the totals: it is part of what the
check adds. `--embedder` picks the store's embedder (`HOOKWISE_EMBEDDER`;
MiniLM needs the neural extra, and `HF_HUB_OFFLINE=1` without a network).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FAILING = ["sh", "-c", "printf 'mod.py:1: [E1] bad\\n'; exit 1"]
SRC = str(Path(__file__).resolve().parents[1] / "src")


#: CPU seconds (user and system) of each command timed, by its wall time's list: on a
#: machine at load 20 wall times measure the queue for a core more than the check,
#: while the CPU a check uses does not grow with the queue.
CPU: dict[int, list[float]] = {}


def timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(id(command), []).append(cpu)
    return took


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


def give_memory(repo: Path, env: dict[str, str], attempts: int) -> None:
    """History in the store, ``attempts`` fix attempts recorded; vectors of both wait for the
    worker (``embedded``)."""
    for i in range(3):
        (repo / f"part{i}.py").write_text(f"VALUE = {i}\n")
        subprocess.run(["git", "add", "."], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-qm", f"feat: part {i}"], cwd=repo, env=env, check=True)
    hookwise = [sys.executable, "-m", "hookwise"]
    subprocess.run([*hookwise, "init"], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import numpy as np

    from suggest import generate

    lines = []
    for attempt in generate(np.random.default_rng(7), attempts):
        finding = {key: attempt[key] for key in ("tool", "rule", "message", "path", "snippet")}
        when = datetime.fromtimestamp(attempt["time"], UTC).isoformat()
        line = {"finding": {**finding, "line": 1}, "strategy": attempt["strategy"]}
        line |= {"kind": attempt["kind"], "outcome": attempt["outcome"], "time": when}
        lines.append(json.dumps(line | {"diff": attempt["diff"]}))
    subprocess.run(
        [*hookwise, "fix", "record"],
        cwd=repo,
        env=env,
        input="\n".join(lines) + "\n",
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def embedded(repo: Path, timeout: float = 1800.0) -> None:
    """Wait (untimed) until the store has its embedder and every attempt its vector."""
    from hookwise.git.repo import discover
    from hookwise.search.state import read_state
    from hookwise.store.db import Store
    from hookwise.store.fixes import fix_attempts_without_vector

    paths = discover(repo)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(paths)
        if state is not None:
            store = Store.open(paths, readonly=True)
            # Fix attempts are embedded under the model's id; the commits'
            # vector id also names what of a commit is embedded.
            if not fix_attempts_without_vector(store, state.model_id, 1):
                print(f"fix memory embedded with {state.model_id}", flush=True)
                return
        time.sleep(1.0)
    raise SystemExit("the worker did not embed the fix memory in time")


def question(repo: Path, command: Sequence[str]) -> dict[str, Any]:
    """The ``suggest`` request ``hookwise check -- command`` sends from ``repo``."""
    from hookwise.checks import suggest
    from hookwise.checks.fingerprint import with_snippets
    from hookwise.checks.locate import locate
    from hookwise.checks.parsers.base import CheckerOutput
    from hookwise.checks.process import run_checker
    from hookwise.checks.registry import parser_for

    with open(os.devnull, "wb") as sink:
        run = run_checker(command, repo, stdout=sink, stderr=sink)  # type: ignore[arg-type]
    output = CheckerOutput(run.text("stdout"), run.text("stderr"), run.exit_code, repo)
    where = locate(repo)
    findings = with_snippets(parser_for(command).parse(output), where.top)
    return {
        "hookwise_dir": where.hookwise_dir,
        "findings": [f.to_json() for f in findings[: suggest.MAX_ASKED]],
        "limit": suggest.LIMIT,
        "deadline_ms": suggest.DEADLINE_MS,
    }


def ask(request: dict[str, Any]) -> tuple[float, int]:
    """The worker's answer's time in seconds, and how many findings it answered in part."""
    from hookwise.capture import rpc

    start = time.perf_counter()
    answer: Any = rpc.call("suggest", request, timeout=10.0)
    took = time.perf_counter() - start
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or not any(r["suggestions"] for r in results):
        raise SystemExit(f"the worker suggested nothing: {answer!r}")
    return took, sum(1 for r in results if r.get("partial"))


def drained(repo: Path, worker: int, timeout: float = 30.0) -> None:
    """Wait (untimed) until the worker has stored the runs spooled so far, and rests.

    A check at a commit finds the worker idle; back to back, each check
    would compete with the worker storing the one before (a LanceDB write
    on one of two cores), and with what follows it (fix detection, the rule
    prior, embedding the new findings with MiniLM), which is another figure
    than the budget's. Resting is the worker's CPU time standing still for
    0.3 s.
    """
    spool = repo / ".git" / "hookwise" / "spool"
    deadline = time.monotonic() + timeout
    while any(spool.glob("check-run-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    before = cpu_ticks(worker)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = cpu_ticks(worker)
        if now == before:
            return
        before = now


def cpu_ticks(pid: int) -> int:
    """The user and system CPU time ``pid`` has used, in clock ticks (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="no warm worker")
    parser.add_argument("--failing", action="store_true", help="a failing checker")
    parser.add_argument("--memory", type=int, default=0, metavar="N", help="N fix attempts")
    parser.add_argument("--embedder", help="the store's embedder (HOOKWISE_EMBEDDER)")
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="another tree's src/ (e.g. main's) timed in the same rounds, for its ratio",
    )
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    default = [ruff, "check", "."] if args.memory else ["true"]
    command = FAILING if args.failing else (args.command or default)
    if args.memory and args.cold:
        raise SystemExit("--memory needs the warm worker it measures")
    with tempfile.TemporaryDirectory(prefix="hookwise-bench-check-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / "mod.py").write_text("import os\n")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
            "HOOKWISE_STATE_DIR": str(Path(tmp) / "state"),
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
        }
        os.environ["HOOKWISE_STATE_DIR"] = env["HOOKWISE_STATE_DIR"]  # for ask()
        if args.embedder:
            env["HOOKWISE_EMBEDDER"] = args.embedder
        # As installed: the warm-up run writes the bytecode the others read
        # (compiling hookwise's modules afresh costs ~60 ms a run).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.cold:
            env["HOOKWISE_NO_WORKER"] = "1"
        worker = None if args.cold else start_worker(repo, env)
        if args.memory:
            sys.path.insert(0, SRC)
            give_memory(repo, env, args.memory)
            embedded(repo)
            request = question(repo, command)
        # What the `hookwise` console script runs (pip writes exactly this,
        # with `re` to clean argv[0]); `python -m hookwise` adds runpy's ~5 ms.
        script = "import re, sys; from hookwise.cli import run; sys.exit(run())"
        through = [sys.executable, "-c", script, "check", "--", *command]
        through_base = list(through)  # its own list: CPU times are kept by list
        # The console script's own start, before hookwise runs: on a loaded
        # machine most of what a check adds is Python starting.
        start_only = [sys.executable, "-c", "import re, sys"]
        # The baseline tree's check, with the same worker: only the check's side differs.
        base_env = {**env, "PYTHONPATH": str(args.baseline)} if args.baseline else None
        alone: list[float] = []
        checked: list[float] = []
        started: list[float] = []
        based: list[float] = []
        answers: list[float] = []
        partial = 0
        try:
            for run in range(args.runs + 1):
                if worker is not None:
                    drained(repo, worker.pid)
                a = timed(command, repo, env)
                c = timed(through, repo, env)
                p = timed(start_only, repo, env)
                if base_env is not None:
                    if worker is not None:
                        drained(repo, worker.pid)
                    b = timed(through_base, repo, base_env)
                if run:  # the first round warms caches
                    alone.append(a)
                    checked.append(c)
                    started.append(p)
                    if base_env is not None:
                        based.append(b)
                if args.memory:
                    took, parts = ask(request)
                    if run:
                        answers.append(took)
                        partial += parts
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
    cpu_of = {"alone": command, "check": through, "python start": start_only}
    if args.baseline:
        cpu_of["baseline"] = through_base
    ms = [statistics.median(x) * 1000 for x in (alone, checked, started)]
    spread = [(min(x) * 1000, max(x) * 1000) for x in (alone, checked, started)]
    state = "cold (no worker)" if args.cold else "warm worker"
    print(f"command: {' '.join(command)}  ({args.runs} runs each, interleaved, {state})")
    names = ("alone", "hookwise check", "python start")
    for name, median, (low, high) in zip(names, ms, spread, strict=True):
        print(f"  {name:<15} median {median:8.1f} ms   (min {low:.1f}, max {high:.1f})")
    added, ratio = ms[1] - ms[0], ms[1] / ms[0] if ms[0] else float("inf")
    print(f"  added          {added:8.1f} ms   ratio {ratio:.1f}x   (budget: 50 ms added)")
    print(f"  added beyond python's own start: {added - ms[2]:.1f} ms")
    cpu = {name: CPU.get(id(c), [])[1:] for name, c in cpu_of.items()}
    if all(cpu.values()):
        medians = {name: statistics.median(v) * 1000 for name, v in cpu.items()}
        line = ", ".join(f"{name} {ms_:.1f} ms" for name, ms_ in medians.items())
        print(f"  CPU time (user+system, median): {line}")
        print(f"  CPU added by hookwise check: {medians['check'] - medians['alone']:.1f} ms")
        if "baseline" in medians:
            print(f"  CPU added by the baseline's: {medians['baseline'] - medians['alone']:.1f} ms")
    if based:
        base = statistics.median(based) * 1000
        print(
            f"  baseline check  median {base:8.1f} ms   (min {min(based) * 1000:.1f}, "
            f"max {max(based) * 1000:.1f}): added {base - ms[0]:.1f} ms; this tree's check "
            f"takes {ms[1] / base:.2f}x the baseline's ({ms[1] - base:+.1f} ms)"
        )
    if answers:
        median = statistics.median(answers) * 1000
        print(
            f"  of which the worker's suggest answer: median {median:.1f} ms "
            f"(min {min(answers) * 1000:.1f}, max {max(answers) * 1000:.1f}; "
            f"{args.memory:,} attempts; {partial} partial answers after the warm-up)"
        )


if __name__ == "__main__":
    main()
