"""How long `hookwise mcp` takes from process start to its first answered tool call.

    python bench/mcp_start.py [--runs 8] [--pause 2] [--tool git_velocity] [--repo PATH]

An MCP client starts the server when the agent session starts and calls a
tool soon after, so this is the wait an agent sees on its first call. Each
run starts `python -m hookwise mcp --repo REPO`, speaks JSON-RPC to it over
stdio as a client does (initialize, initialized, tools/call) and stops the
clock when the tool's answer arrives; the "initialize" answer is timed too
(the server is up and listing). The baseline, measured in the same run
and interleaved with it, is `python -m hookwise --version`: the interpreter
and the click CLI, nothing else. The tool call's extra time over it is what
the SDK, the store (LanceDB) and the figures cost.

Two clients: an eager one calls the tool the moment the handshake is
answered (the worst case), a realistic one after --pause seconds (an
agent's first tool call comes after the session starts and the model has
read its prompt); for it the figure is the call's own latency, from
request to answer, which the server's background warm-up shortens.

Without --repo a scratch repository with 300 commits is built and
backfilled (metadata only). First no worker runs: a first call in a fresh
session answers in its own process. Then a warm worker is started and the
eager client runs again: the figures (and the health) come from the worker,
which has LanceDB loaded, so the server imports only the SDK.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = "2025-06-18"


def _env(state: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.update(HOOKWISE_STATE_DIR=str(state), HOOKWISE_NO_WORKER="1")
    return env


def scratch_repository(base: Path, commits: int, env: dict[str, str]) -> Path:
    """A repository with ``commits`` commits over the last 60 days, backfilled."""
    repo = base / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    now = int(time.time())
    for i in range(commits):
        (repo / f"f{i % 20}.txt").write_text(f"{i}\n")
        date = f"{now - (commits - i) * 60 * 60 * 4} +0000"
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run(
            ["git", "commit", "-q", "-m", f"feat: change {i}"],
            cwd=repo,
            check=True,
            env={
                **env,
                "GIT_AUTHOR_NAME": "Ada",
                "GIT_AUTHOR_EMAIL": "ada@example.com",
                "GIT_COMMITTER_NAME": "Ada",
                "GIT_COMMITTER_EMAIL": "ada@example.com",
                "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_DATE": date,
            },
        )
    subprocess.run(
        [sys.executable, "-m", "hookwise", "backfill", "-q", "--repo", str(repo)],
        check=True,
        env=env,
    )
    return repo


def _send(proc: subprocess.Popen[bytes], message: dict[str, object]) -> None:
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(message).encode() + b"\n")
    proc.stdin.flush()


def _answer(proc: subprocess.Popen[bytes], request_id: int) -> dict[str, object]:
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the server closed its output before answering")
        message: dict[str, object] = json.loads(line)
        if message.get("id") == request_id:
            return message


def first_call(
    repo: Path, tool: str, env: dict[str, str], pause: float = 0.0
) -> tuple[float, float, float]:
    """Seconds from process start to the initialize answer and to the tool's answer, and
    from the tool call (sent ``pause`` seconds after the initialize answer) to its answer."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "mcp", "--repo", str(repo)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        client = {"name": "bench", "version": "0"}
        params = {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": client}
        _send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        _answer(proc, 1)
        ready = time.perf_counter() - start
        _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        time.sleep(pause)
        call = {"name": tool, "arguments": {}}
        sent = time.perf_counter()
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call})
        answer = _answer(proc, 2)
        answered = time.perf_counter()
        result = answer.get("result")
        if not isinstance(result, dict) or result.get("isError"):
            raise RuntimeError(f"{tool} failed: {answer}")
        return ready, answered - start, answered - sent
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def version_call(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hookwise", "--version"], check=True, capture_output=True, env=env
    )
    return time.perf_counter() - start


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A warm worker for the runs that follow; answering ``ping`` before this returns."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "worker", "--foreground"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ping = "from hookwise.capture import rpc; raise SystemExit(rpc.call('ping', {}) is None)"
    deadline = time.monotonic() + 60
    while subprocess.run([sys.executable, "-c", ping], env=env, check=False).returncode:
        if time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError("the worker did not answer within 60 s")
        time.sleep(0.2)
    return worker


def _figures(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    spread = f"{ms[0]:.0f}-{ms[-1]:.0f}"
    quartiles = statistics.quantiles(ms, n=4) if len(ms) > 1 else [ms[0]] * 3
    return (
        f"{name:<28} median {statistics.median(ms):7.0f} ms  "
        f"IQR {quartiles[0]:.0f}-{quartiles[2]:.0f}  range {spread}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--pause", type=float, default=2.0, help="the realistic client's pause")
    parser.add_argument("--tool", default="git_velocity", help="a tool that needs no arguments")
    parser.add_argument("--repo", type=Path, help="a repository with a store (default: scratch)")
    parser.add_argument("--commits", type=int, default=300, help="commits of the scratch repo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hookwise-mcp-bench-") as tmp:
        env = _env(Path(tmp) / "state")
        repo = args.repo or scratch_repository(Path(tmp), args.commits, env)
        version_call(env)  # warm the file cache for both sides
        first_call(repo, args.tool, env)
        baseline: list[float] = []
        ready: list[float] = []
        answered: list[float] = []
        latency: list[float] = []
        for _ in range(args.runs):
            baseline.append(version_call(env))
            up, done, _ = first_call(repo, args.tool, env)
            ready.append(up)
            answered.append(done)
            latency.append(first_call(repo, args.tool, env, args.pause)[2])
        warm_env = {k: v for k, v in env.items() if k != "HOOKWISE_NO_WORKER"}
        worker = start_worker(warm_env)
        try:
            first_call(repo, args.tool, warm_env)  # the worker's first answer loads its imports
            warm = [first_call(repo, args.tool, warm_env)[1] for _ in range(args.runs)]
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    print(f"{args.runs} runs, tool {args.tool}, {sys.executable}")
    print(_figures("hookwise --version", baseline))
    print(_figures("mcp: initialize answered", ready))
    print(_figures(f"mcp: {args.tool} answered", answered))
    print(_figures(f"  its latency, {args.pause:g} s later", latency))
    print(_figures(f"mcp: {args.tool}, warm worker", warm))
    over = statistics.median(answered) / statistics.median(baseline)
    print(f"first answered tool call, at once: {over:.1f}x `hookwise --version` (medians)")
    over = statistics.median(warm) / statistics.median(baseline)
    print(f"  with a warm worker: {over:.1f}x `hookwise --version` (medians)")


if __name__ == "__main__":
    main()
