"""What the capture hook adds to `git commit`, against a baseline in the same run.

    python bench/capture.py [--commits 200] [--no-pre-commit] [--pre-commit-home DIR]

One scratch repository; every commit picks its hooks with `git -c
core.hooksPath=DIR`, so the pairs differ only in the hook:

* native: hookwise's shim (as `hookwise install` writes it) vs no hook at all;
* pre-commit: the hookwise-capture hook managed by the pre-commit framework
  (this working tree's `.pre-commit-hooks.yaml`, installed by pre-commit into
  its own virtualenv) vs a no-op pre-commit hook (`repo: local`, `language:
  system`, `entry: true`, same stages);
* for scale, not budgeted: a no-op *Python* pre-commit hook (`language:
  python`, `entry: python -c pass`) vs the same system no-op. That is what
  pre-commit spends on any Python hook (its virtualenv health check runs two
  interpreters per call, then the hook's own interpreter starts) before
  hookwise's code runs at all.

Commits alternate within each pair (hooked, plain, plain, hooked, ...). A real
worker runs throughout, started by `hookwise.capture.wake.start_worker`, so the hooks
take their warm path (worker running: record and return) and the worker
ingests as it would for a user. Budgets (DESIGN §6): ≤ 10 ms median added for
the native hook, ≤ 40 ms for the pre-commit-managed one.

Building the pre-commit environment pip-installs hookwise once (~20 s); pass
--pre-commit-home to keep it between runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hookwise.capture import wake
from hookwise.git.repo import discover
from hookwise.install.hooks import install

ROOT = Path(__file__).resolve().parents[1]
NATIVE_BUDGET_MS = 10.0
PRE_COMMIT_BUDGET_MS = 40.0
WARMUP_ROUNDS = 5
# What pre-commit needs to build hookwise from a repository.
SNAPSHOT_PATHS = ("src", "hooks", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

HOOKWISE_CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: hookwise-capture
"""
NOOP_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: noop
        name: noop
        entry: "{entry}"
        language: {language}
        always_run: true
        pass_filenames: false
        stages: [post-commit, post-merge, post-checkout, post-rewrite]
"""


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def isolate(tmp: Path) -> None:
    """Git identity and config of our own (no signing, no global hooksPath), and
    a hookwise state dir of our own, for this process and every child."""
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    os.environ.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        HOOKWISE_STATE_DIR=str(tmp / "state"),
        HOOKWISE_WORKER_IDLE="3600",  # it must outlive the measurement
    )
    for name in ("HOOKWISE_DISABLE", "HOOKWISE_NO_WORKER", "GIT_DIR", "GIT_WORK_TREE"):
        os.environ.pop(name, None)


def snapshot_of_this_checkout(destination: Path) -> str:
    """A git repository holding this working tree as it is now, for pre-commit to clone."""
    destination.mkdir()
    for name in SNAPSHOT_PATHS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, destination / name)
    run("git", "init", "-q", destination)
    run("git", "add", "-A", cwd=destination)
    run("git", "commit", "-q", "-m", "snapshot", cwd=destination)
    return run("git", "rev-parse", "HEAD", cwd=destination).strip()


def pre_commit_hooks_dir(repo: Path, config: str, name: str, target: Path) -> Path:
    """The post-commit script `pre-commit install` writes for ``config``, moved to ``target``."""
    (repo / name).write_text(config)
    print(f"  pre-commit install --config {name} ...", flush=True)
    run(PRE_COMMIT, "install", "--install-hooks", "-c", name, "-t", "post-commit", cwd=repo)
    target.mkdir()
    (repo / ".git" / "hooks" / "post-commit").rename(target / "post-commit")
    return target


def timed_commit(repo: Path, hooks_dir: Path, n: int) -> float:
    """Milliseconds `git commit` takes with ``hooks_dir``'s hooks (staging is not timed)."""
    (repo / f"file-{n}.txt").write_text(f"change {n}\n")
    run("git", "add", f"file-{n}.txt", cwd=repo)
    started = time.perf_counter()
    subprocess.run(
        ["git", "-c", f"core.hooksPath={hooks_dir}", "commit", "-q", "-m", f"change {n}"],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return (time.perf_counter() - started) * 1000


def start_worker(hookwise_dir: Path) -> int:
    wake.start_worker(register=hookwise_dir)
    deadline = time.monotonic() + 30
    while (pid := wake.worker_pid()) is None:
        if time.monotonic() > deadline:
            sys.exit("the worker did not start (see .git/hookwise/log)")
        time.sleep(0.05)
    return pid


def stop_worker(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while wake.worker_pid() == pid and time.monotonic() < deadline:
        time.sleep(0.05)


@dataclasses.dataclass
class Pair:
    name: str
    hooked: Path
    plain: Path
    budget_ms: float | None
    hooked_ms: list[float] = dataclasses.field(default_factory=list)
    plain_ms: list[float] = dataclasses.field(default_factory=list)

    def report(self) -> str:
        hooked, plain = statistics.median(self.hooked_ms), statistics.median(self.plain_ms)
        added = hooked - plain
        if self.budget_ms is None:
            verdict = "(for scale: no budget)"
        else:
            verdict = "within" if added <= self.budget_ms else "OVER"
            verdict = f"(budget <= {self.budget_ms:.0f} ms: {verdict})"
        return (
            f"{self.name:<23} median {hooked:6.1f} ms vs {plain:6.1f} ms: "
            f"{added:+6.1f} ms added, ratio {hooked / plain:4.2f}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=200, help="commits per variant")
    parser.add_argument("--no-pre-commit", action="store_true", help="native hook only")
    parser.add_argument("--pre-commit-home", type=Path, help="reuse pre-commit's environments")
    args = parser.parse_args()
    if args.commits < 1:
        parser.error("--commits must be at least 1")

    with tempfile.TemporaryDirectory(prefix="hookwise-bench-") as scratch:
        tmp = Path(scratch)
        isolate(tmp)
        repo = tmp / "repo"
        run("git", "init", "-q", repo)
        run("git", "commit", "-q", "--allow-empty", "-m", "root", cwd=repo)
        (repo / ".git" / "info" / "exclude").write_text("*.yaml\n")
        no_hooks = tmp / "no-hooks"
        no_hooks.mkdir()

        paths = discover(repo)
        native = tmp / "native-hooks"
        install(dataclasses.replace(paths, hooks_dir=native))
        pairs = [Pair("native", native, no_hooks, NATIVE_BUDGET_MS)]

        if not args.no_pre_commit:
            print("setting up the pre-commit hooks (pip installs hookwise once)", flush=True)
            os.environ["PRE_COMMIT_HOME"] = str(args.pre_commit_home or tmp / "pre-commit")
            rev = snapshot_of_this_checkout(tmp / "hookwise-snapshot")
            config = HOOKWISE_CONFIG.format(repo=tmp / "hookwise-snapshot", rev=rev)
            hookwise_hook = pre_commit_hooks_dir(repo, config, "hookwise.yaml", tmp / "pc-hookwise")
            system_noop = NOOP_CONFIG.format(entry="true", language="system")
            noop = pre_commit_hooks_dir(repo, system_noop, "noop.yaml", tmp / "pc-noop")
            python_noop = NOOP_CONFIG.format(entry="python -c pass", language="python")
            python_hook = pre_commit_hooks_dir(repo, python_noop, "py.yaml", tmp / "pc-py")
            pairs.append(Pair("pre-commit", hookwise_hook, noop, PRE_COMMIT_BUDGET_MS))
            pairs.append(Pair("pre-commit python no-op", python_hook, noop, None))

        pid = start_worker(paths.hookwise_dir)
        try:
            n = 0
            total = WARMUP_ROUNDS + args.commits
            print(f"measuring {args.commits} commits per variant (worker pid {pid})", flush=True)
            for round_ in range(total):
                for pair in pairs:
                    # Alternate which goes first, so neither always follows the other.
                    order = [True, False] if round_ % 2 == 0 else [False, True]
                    for hooked in order:
                        n += 1
                        ms = timed_commit(repo, pair.hooked if hooked else pair.plain, n)
                        if round_ >= WARMUP_ROUNDS:
                            (pair.hooked_ms if hooked else pair.plain_ms).append(ms)
            still_running = wake.worker_pid() == pid
        finally:
            stop_worker(pid)
        if not still_running:
            sys.exit("the worker stopped during the measurement: the hooks did not stay warm")

    print(f"git commit, {args.commits} commits per variant, interleaved, warm worker:")
    for pair in pairs:
        print("  " + pair.report())


if __name__ == "__main__":
    main()
