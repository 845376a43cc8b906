"""`make demo`: hookwise's main job, end to end, on an embedded default repository.

1. builds a realistic scratch repository (scripts/synth_repo.py: authors in
   several time zones, feature branches, merges, some of them conflicted),
2. `hookwise init`: installs the native hooks and backfills the history,
3. works in it like a developer: commits, a branch switch, a conflicted
   merge, an amend and a rebase, each captured live by the hooks and the
   background worker,
4. shows `hookwise status` and a few exported rows, metrics, health and the
   HTML report,
5. searches the history by meaning: the worker embeds the commits in the
   background; the demo waits for it, asks a question in other words than
   the commits', and shows the first result,
6. fix memory: a few commits fix what ruff finds, `hookwise fix learn`
   mines them from the history, and a new failing `hookwise check -- ruff`
   shows under its finding the strategy that fixed the same rule before,
   with its support and the past fix as a diff,
7. the team's view: starts an embedded aggregator (`hookwise serve` on
   SQLite, on a free port of 127.0.0.1), syncs the demo repository to it
   with `hookwise sync`, shows the portfolio it answers, and prints where
   its dashboard is. The aggregator keeps serving after the demo ends (its
   process id is in demo-output/aggregator.pid; the next demo stops it).

Everything lives in ./demo-output (the repository and hookwise's user state),
so the demo leaves nothing behind elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth_repo import build  # noqa: E402

OUT = HERE.parent / "demo-output"


def step(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m", flush=True)


def hookwise(*args: str, capture: bool = False) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", *args],
        check=True,
        text=True,
        capture_output=capture,
    )
    return proc.stdout if capture else ""


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def commit(repo: Path, message: str, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def live_work(repo: Path) -> None:
    commit(repo, "feat(cli): add a --json flag to status", {"src/pkg/cli_json.py": "JSON = 1\n"})
    git(repo, "checkout", "-q", "-b", "feature/retry")
    commit(repo, "fix(store): retry when the lock is busy", {"src/pkg/retry.py": "RETRY = 3\n"})
    commit(repo, "docs: explain retries", {"docs/guide.md": "Retries: three.\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "docs: a different guide", {"docs/guide.md": "The guide, rewritten.\n"})
    out = git(repo, "merge", "feature/retry", check=False)
    if "CONFLICT" in out:
        (repo / "docs" / "guide.md").write_text("The guide, rewritten.\nRetries: three.\n")
        git(repo, "add", "docs/guide.md")
        git(repo, "commit", "-q", "--no-edit")
    commit(repo, "chore: tidy", {"src/pkg/tidy.py": "x = 1\n"})
    git(repo, "commit", "-q", "--amend", "-m", "chore: tidy the package")
    git(repo, "checkout", "-q", "-b", "topic/rebase-me", "HEAD~1")
    commit(repo, "perf: faster spool scan", {"src/pkg/scan.py": "FAST = True\n"})
    git(repo, "rebase", "-q", "main")
    git(repo, "checkout", "-q", "main")


# Code a developer wrote and then fixed, commit by commit: what `fix learn`
# finds in the history. Each pair is (the file with a finding, the fix).
LINT_HISTORY = [
    (
        "app/report.py",
        "import os\nimport sys\n\n\ndef main():\n    print(sys.argv)\n",
        "import sys\n\n\ndef main():\n    print(sys.argv)\n",
        "style(app): drop an unused import",
    ),
    (
        "app/config.py",
        "import json\nimport re\n\n\ndef load(path):\n    return re.split(',', path)\n",
        "import re\n\n\ndef load(path):\n    return re.split(',', path)\n",
        "style(app): config does not need json",
    ),
    (
        "app/compare.py",
        "def label(value):\n    if value == None:\n        print('none')\n    return str(value)\n",
        "def label(value):\n    if value is None:\n        print('none')\n    return str(value)\n",
        "fix(app): compare with None by identity",
    ),
    (
        "app/paths.py",
        "import pathlib\nimport shutil\n\n\ndef home():\n    return pathlib.Path.home()\n",
        "import pathlib\n\n\ndef home():\n    return pathlib.Path.home()\n",
        "style(app): remove the shutil import",
    ),
]


def fix_memory(repo: Path) -> None:
    """Fixes in the history, learned, then suggested under a new failing check."""
    for path, broken, fixed, message in LINT_HISTORY:
        commit(repo, f"feat(app): add {Path(path).stem}", {path: broken})
        commit(repo, message, {path: fixed})
    print(f"{2 * len(LINT_HISTORY)} commits: code with ruff findings, then their fixes")
    print("$ hookwise fix learn --tool ruff")
    hookwise("fix", "learn", "--tool", "ruff", "--repo", str(repo))
    hookwise("fix", "list", "--limit", "4", "--repo", str(repo))
    wait_for_memory(repo)
    (repo / "app" / "cli.py").write_text(
        "import argparse\nimport os\n\n\ndef parser():\n    return argparse.ArgumentParser()\n"
    )
    print("\n$ hookwise check -- ruff check app   (a new file imports os and never uses it)")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hookwise",
            "check",
            "--repo",
            str(repo),
            "--",
            "ruff",
            "check",
            "app",
        ],
        cwd=repo,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_previous_aggregator() -> None:
    """The aggregator a previous demo left serving, stopped before its folder goes."""
    try:
        pid = int((OUT / "aggregator.pid").read_text())
        os.killpg(pid, signal.SIGTERM)
    except (OSError, ValueError):
        pass


def get_json(url: str, token: str) -> object:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def aggregator(repo: Path) -> subprocess.Popen[bytes]:
    """An embedded aggregator, the demo repository synced to it, the portfolio it shows;
    the aggregator's process, left serving."""
    db = f"sqlite:///{OUT / 'aggregator.db'}"
    print("$ hookwise serve token create --team demo")
    created = hookwise("serve", "token", "create", "--team", "demo", "--db", db, capture=True)
    token = created.split()[-1]
    print(f"a token for team demo: {token[:8]}... (printed once; kept only as its hash)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(OUT / "aggregator.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "hookwise", "serve", "--port", str(port), "--db", db],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (OUT / "aggregator.pid").write_text(str(server.pid))
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                log_path = OUT / "aggregator.log"
                raise SystemExit(f"the aggregator did not start: see {log_path}") from None
            time.sleep(0.2)
    print(f"$ HOOKWISE_SYNC_TOKEN=... hookwise sync --to {url}")
    os.environ["HOOKWISE_SYNC_TOKEN"] = token  # a flag would show the token in `ps`
    hookwise("sync", "--to", url, "--repo", str(repo))
    portfolio = get_json(f"{url}/api/v1/portfolio", token)
    print("the aggregator's portfolio (GET /api/v1/portfolio):")
    print(json.dumps(portfolio, indent=2)[:1200])
    print(
        f"\ndashboard: {url}/  (sign in with the token above: {token})\n"
        f"the aggregator keeps serving; stop it with: kill {server.pid}"
    )
    return server


def wait_for_memory(repo: Path, timeout: float = 120) -> None:
    """Until the worker, woken by `fix learn`, has read the learned fixes: what a
    check finds when it runs a minute later, not in the same second."""
    prior = repo / ".git" / "hookwise" / "rule-prior.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if prior.exists() and "F401" in prior.read_text():
            return
        time.sleep(0.2)


def wait_for_worker(repo: Path, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        report = json.loads(hookwise("status", "--json", "--repo", str(repo), capture=True))
        if report["spool_backlog"] == 0 or time.monotonic() > deadline:
            return dict(report)
        time.sleep(0.2)


def wait_for_vectors(repo: Path, timeout: float = 300) -> None:
    """Until the worker has embedded every commit (it does so after the backfill)."""
    deadline = time.monotonic() + timeout
    while True:
        report = json.loads(hookwise("status", "--json", "--repo", str(repo), capture=True))
        embedder = report.get("embedder") or {}
        waiting = embedder.get("waiting")
        if waiting == 0 or time.monotonic() > deadline:
            print(f"embedder {embedder.get('id')}: {waiting} commits waiting for a vector")
            return
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    args = parser.parse_args()

    stop_previous_aggregator()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    repo = OUT / "repo"
    os.environ["HOOKWISE_STATE_DIR"] = str(OUT / "state")
    os.environ.setdefault("HOOKWISE_WORKER_IDLE", "20")
    # The checkers the demo installs (ruff) live beside this Python.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ.setdefault("GIT_AUTHOR_NAME", "Demo User")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "demo@example.com")
    os.environ.setdefault("GIT_COMMITTER_NAME", "Demo User")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "demo@example.com")
    os.chdir(OUT)

    step(f"building a scratch repository with {args.commits} commits")
    started = time.perf_counter()
    build(repo, args.commits)
    print(f"{repo} ({time.perf_counter() - started:.1f}s)")

    step("hookwise init (install the hooks, backfill the history)")
    hookwise("init", "--repo", str(repo))

    step("live work: commits, a switch, a conflicted merge, an amend, a rebase")
    live_work(repo)
    report = wait_for_worker(repo)
    print(f"worker drained the spool: backlog {report['spool_backlog']}")

    step("hookwise status")
    hookwise("status", "--repo", str(repo))

    step("hookwise export commits (the newest three, abridged)")
    rows = [
        json.loads(x)
        for x in hookwise("export", "commits", "--repo", str(repo), capture=True).splitlines()
    ]
    rows.sort(key=lambda r: r["committer_time"], reverse=True)
    for r in rows[:3]:
        keep = ("sha", "subject", "is_merge", "had_conflicts", "rewritten", "source", "branch")
        print(json.dumps({k: (r[k][:10] if k == "sha" else r[k]) for k in keep}))
    live = [r for r in rows if r["source"] == "hook"]
    print(
        f"{len(rows)} commits stored, {len(live)} captured live, "
        f"{sum(1 for r in rows if r['rewritten'])} rewritten (kept, never double counted), "
        f"{sum(1 for r in rows if r['had_conflicts'])} conflicted merges"
    )

    step("hookwise export ref_events (live switches, merges, rewrites)")
    events = hookwise("export", "ref_events", "--repo", str(repo), capture=True).splitlines()
    for line in events[-6:]:
        e = json.loads(line)
        print(f"{e['kind']:<13} {e['from'] or '':<16} -> {e['to'] or ''}")

    step("hookwise metrics")
    hookwise("metrics", "--repo", str(repo))

    step("hookwise health")
    hookwise("health", "--repo", str(repo))

    step("hookwise report")
    report_path = OUT / "report.html"
    hookwise("report", "--repo", str(repo), "-o", str(report_path))
    print(f"open {report_path} in a browser (it works offline)")

    step("hookwise search (the worker embedded the history in the background)")
    wait_for_vectors(repo)
    query = "the program fell over when reading its settings"
    print(f"$ hookwise search {query!r} --limit 5")
    hookwise("search", query, "--limit", "5", "--repo", str(repo))
    step("hookwise show 1 (the first result; showing it counts as a click)")
    hookwise("show", "1", "--repo", str(repo))

    step("fix memory: learn from the history, suggest at check time")
    fix_memory(repo)

    step("the team's view: an embedded aggregator, the repository synced to it")
    aggregator(repo)

    hookwise("worker", "--stop")
    print(f"\ndone: the demo repository is in {repo}")


if __name__ == "__main__":
    main()
