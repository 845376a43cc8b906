"""The aggregator under load: 50 clients pushing day summaries at once, over loopback.

Budget (DESIGN section 6): PostgreSQL, 50 concurrent clients: at least 1,000
summary upserts/s with p99 latency at most 100 ms.

Each scenario starts real servers (``hookwise serve``, as a user runs it:
uvicorn with its access log), creates a token, then runs 50 clients, each
on its own keep-alive connection, for ``--seconds`` (at most ``--requests``
requests), after a short warm-up. A client pushes one repository's days in
order, so every upsert stores a new row. Three loads per scenario, side by
side in the same run:

- ``healthz``: ``GET /healthz`` (no token, one ``SELECT 1``): the floor of
  one request through uvicorn, FastAPI and the database -- the baseline;
- ``1 day``: ``POST /api/v1/summaries`` with one day (what a daily sync
  sends): upserts/s, and its ratio to the baseline's requests/s;
- ``30 days``: the same with 30 days per request (a first sync, or a month
  queued while the aggregator was away).

Scenarios: SQLite and PostgreSQL, one process and two (``--workers 2`` on
PostgreSQL; two ``hookwise serve`` on one SQLite file, on two ports, the
clients split between them as a load balancer would), and the levers
(``LEVERS``), each taken back in turn on one PostgreSQL process: the token
cache, the INSERT compiled once, and httptools and uvloop where importable.
PostgreSQL is started from Debian's binaries in a temporary folder (as
tests/server/conftest.py does), or given with ``--pg-url``.

The clients are a small asyncio HTTP/1.1 writer in this process, far
cheaper than a general HTTP client, so that the servers get the cores.
Their own CPU is printed (2-4% of one core in the runs quoted in
docs/aggregator.md), and so is the CPU each request cost the servers and
PostgreSQL: on a shared machine that is steadier than requests per second.

    python bench/aggregator_load.py                       # every scenario, 5 s per load
    python bench/aggregator_load.py --only levers         # each lever taken back, side by side
    python bench/aggregator_load.py --seconds 10 --only postgresql
    python bench/aggregator_load.py --pg-url postgresql://hookwise@127.0.0.1:5432/bench
    python bench/aggregator_load.py --profile             # where one process's time goes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pstats
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hookwise.sync.wire import author_id  # noqa: E402 (from this tree, not an installed one)

BUDGET_UPSERTS = 1_000.0
BUDGET_P99_MS = 100.0
CLIENTS = 50
WARMUP_S = 1.0
AUTHORS = [author_id(f"dev{n}@example.com") for n in range(3)]


def cpu_seconds(roots: Sequence[int]) -> float:
    """User and system CPU of ``roots`` and every process below them, from /proc."""
    parent, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry.name)] = int(fields[1])
        # Its own time and that of its children already exited (PostgreSQL ends
        # backends as the pool closes overflow connections).
        used[int(entry.name)] = sum(int(f) for f in fields[11:15])
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid in found or pid not in used:
            continue
        found.add(pid)
        todo.extend(child for child, up in parent.items() if up == pid)
    return sum(used[pid] for pid in found) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- PostgreSQL ------------------------------------------------------------------------


@contextlib.contextmanager
def postgres(fsync: bool) -> Iterator[tuple[str, int]]:
    """A throwaway PostgreSQL from Debian's binaries, as tests/server/conftest.py starts it."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql), or give --pg-url")
    bin_dir = found[-1].parent
    as_root = os.geteuid() == 0
    as_user = {"user": "postgres", "group": pwd.getpwnam("postgres").pw_gid} if as_root else {}
    base = Path(tempfile.mkdtemp(prefix="hookwise-bench-pg-"))
    if as_root:
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", free_port()
    run = {"check": True, "capture_output": True, "env": {**os.environ, "LC_ALL": "C"}, **as_user}
    initdb = [bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "hookwise", "-E", "UTF8"]
    subprocess.run([*initdb, "--no-sync"], **run)  # type: ignore[call-overload]
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not fsync:
        options += " -c fsync=off"
    start = [bin_dir / "pg_ctl", "-D", data, "-l", base / "log", "-o", options, "-w", "start"]
    subprocess.run(start, **run)  # type: ignore[call-overload]
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    try:
        yield f"postgresql://hookwise@127.0.0.1:{port}/postgres", postmaster
    finally:
        stop = [bin_dir / "pg_ctl", "-D", data, "-m", "fast", "stop"]
        subprocess.run(stop, **run)  # type: ignore[call-overload]
        shutil.rmtree(base, ignore_errors=True)


def empty(url: str) -> None:
    """The schema current and no summaries or patterns left by the previous scenario."""
    from sqlalchemy import text

    from hookwise.server import database

    engine = database.engine_for(url)
    database.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM summaries"))
        connection.execute(text("DELETE FROM patterns"))
    engine.dispose()


# -- servers ---------------------------------------------------------------------------


def hookwise(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hookwise", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return done.stdout


def compiled_each_time(connection: Any, table: Any, rows: list[Any], key: Sequence[str]) -> None:
    """The ingest as it was: values in the statement, so SQLAlchemy compiles every push."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    if not rows:
        return
    is_pg = connection.dialect.name == "postgresql"
    statement = (postgresql.insert if is_pg else sqlite_dialect.insert)(table).values(rows)
    replace = {name: statement.excluded[name] for name in rows[0] if name not in key}
    connection.execute(statement.on_conflict_do_update(index_elements=list(key), set_=replace))


def serve_here(url: str, port: int, undone: set[str], profile: str | None) -> None:
    """One server process with levers taken back (``--serve``), as ``hookwise serve`` runs it."""
    import uvicorn

    from hookwise.server import database, ingest
    from hookwise.server.app import create_app

    if "compile" in undone:
        ingest._upsert = compiled_each_time  # type: ignore[assignment]
    app = create_app(database.engine_for(url), token_seconds=0.0 if "cache" in undone else 5.0)
    loop: dict[str, Any] = {"http": "h11", "loop": "asyncio"} if "standard" in undone else {}
    if profile is None:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", **loop)
        return
    import cProfile
    import threading

    # cProfile sees one thread; the routes and the token lookup run in
    # anyio's worker threads, so each thread gets its own profiler.
    # CPU time per thread, not wall time: the threads mostly wait, and waiting is
    # not what limits the throughput on a busy machine.
    profilers = [cProfile.Profile(time.thread_time)]

    def in_thread(*_: object) -> None:
        sys.setprofile(None)
        profilers.append(cProfile.Profile(time.thread_time))
        profilers[-1].enable()

    threading.setprofile(in_thread)
    profilers[0].enable()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", **loop)
    finally:
        profilers[0].disable()
        pstats.Stats(*profilers).dump_stats(profile)


@dataclass
class Servers:
    processes: list[subprocess.Popen[bytes]]
    ports: list[int]
    log: Path

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def start(commands: Sequence[list[str]], ports: list[int], url: str, log: Path) -> Servers:
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "HOOKWISE_SERVER_DB": url, "PYTHONPATH": path}
    out = log.open("ab")
    processes = [
        subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        for command in commands
    ]
    servers = Servers(processes, ports, log)
    deadline = time.monotonic() + 120
    for port in ports:
        while not healthy(port):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                servers.stop()
                sys.exit(f"the server did not start; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
    return servers


def healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


# -- clients ---------------------------------------------------------------------------


def summary(repo: str, on: date) -> dict[str, object]:
    return {
        "repo": repo,
        "day": on.isoformat(),
        "commits": 7,
        "authors": AUTHORS,
        "merges": 2,
        "conflicted_merges": 1,
        "branch_switches": 5,
        "cc_eligible": 6,
        "cc_compliant": 5,
        "sessions": 2,
        "checks_run": 4,
        "fixes": [
            {"tool": "ruff", "rule": "F401", "kind": "delete", "attempts": 2, "successes": 1}
        ],
    }


def request(token: str, repo: str, first: date, days: int) -> bytes:
    if days == 0:
        return b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
    body = json.dumps(
        {
            "version": 1,
            "summaries": [summary(repo, first + timedelta(d)) for d in range(days)],
            "patterns": [],
        }
    ).encode()
    head = (
        f"POST /api/v1/summaries HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def client(
    number: int, port: int, token: str, days: int, until: float, cap: list[int]
) -> tuple[list[float], int]:
    """One keep-alive connection pushing its repository's days in order: latencies, errors."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    latencies: list[float] = []
    errors, first = 0, date(2000, 1, 1)
    repo = f"load-{number}"
    try:
        while time.perf_counter() < until and cap[0] > 0:
            cap[0] -= 1
            sent = request(token, repo, first, days)
            first += timedelta(max(days, 1))
            started = time.perf_counter()
            writer.write(sent)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not status.startswith(b"HTTP/1.1 200"):
                errors += 1
    finally:
        writer.close()
    return latencies, errors


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    client_cpu: float  # share of one core the clients used
    server_ms: float  # CPU of the server processes per request
    db_ms: float  # CPU of PostgreSQL per request (0 for SQLite: it is in the server)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def drive(
    ports: list[int], token: str, days: int, seconds: float, limit: int
) -> tuple[list[float], int, float]:
    until = time.perf_counter() + seconds
    cap = [limit]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(client(n, ports[n % len(ports)], token, days, until, cap) for n in range(CLIENTS))
    )
    elapsed = time.perf_counter() - started
    latencies = [s for found, _ in results for s in found]
    return latencies, sum(e for _, e in results), elapsed


def load(ports: list[int], token: str, days: int, seconds: float, limit: int, pids: Pids) -> Load:
    asyncio.run(drive(ports, token, days, min(WARMUP_S, seconds), limit))
    cpu, server, db = time.process_time(), cpu_seconds(pids.servers), cpu_seconds(pids.database)
    latencies, errors, elapsed = asyncio.run(drive(ports, token, days, seconds, limit))
    cpu = time.process_time() - cpu
    server = cpu_seconds(pids.servers) - server
    db = cpu_seconds(pids.database) - db
    latencies.sort()
    done = max(len(latencies), 1)

    def at(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return Load(
        len(latencies),
        elapsed,
        at(0.50),
        at(0.99),
        errors,
        cpu / elapsed,
        1000 * server / done,
        1000 * db / done,
    )


@dataclass(frozen=True)
class Pids:
    servers: list[int]
    database: list[int]  # the postmaster, when this run started it


# -- scenarios -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    backend: str  # sqlite | postgresql
    processes: int
    how: str  # workers: one `hookwise serve --workers N`; several: N serve on N ports; here
    undone: tuple[str, ...] = ()  # levers taken back (``--serve``): see LEVERS


#: What each lever replaced, put back for a side-by-side measurement.
LEVERS = {
    "cache": "no token cache (a lookup per request)",
    "compile": "the INSERT compiled on every push",
    # Not in the server extra: it shows only when httptools and uvloop are
    # importable (uvicorn[standard]); otherwise "auto" is h11 and asyncio too.
    "standard": "h11 and asyncio, not httptools and uvloop",
}


SCENARIOS = [
    Scenario("sqlite, 1 process", "sqlite", 1, "workers"),
    Scenario("sqlite, 2 processes (2 ports)", "sqlite", 2, "several"),
    Scenario("postgresql, 1 process", "postgresql", 1, "workers"),
    Scenario("postgresql, 2 processes (--workers 2)", "postgresql", 2, "workers"),
    *(
        Scenario(f"postgresql, 1 process, {LEVERS[lever]}", "postgresql", 1, "here", (lever,))
        for lever in LEVERS
    ),
    Scenario("postgresql, 1 process, every lever (this launcher)", "postgresql", 1, "here", ()),
    Scenario("postgresql, 1 process, as before (no lever)", "postgresql", 1, "here", (*LEVERS,)),
]


def commands(s: Scenario, ports: list[int], url: str, profile: str | None) -> list[list[str]]:
    if s.how == "here" or profile:
        here = [sys.executable, __file__, "--serve", url, "--undo", ",".join(s.undone)]
        extra = ["--profile-to", profile] if profile else []
        return [[*here, "--port", str(p), *extra] for p in ports]
    serve = [sys.executable, "-m", "hookwise", "serve", "--db", url]
    if s.how == "workers":
        return [[*serve, "--port", str(ports[0]), "--workers", str(s.processes)]]
    return [[*serve, "--port", str(p)] for p in ports]


def run_scenario(
    s: Scenario,
    url: str,
    folder: Path,
    seconds: float,
    limit: int,
    database: list[int],
    profile: str | None = None,
) -> dict[str, Load]:
    empty(url)
    token = hookwise("serve", "token", "create", "--team", "load", "--db", url).split()[-1]
    ports = [free_port() for _ in range(s.processes if s.how != "workers" else 1)]
    servers = start(commands(s, ports, url, profile), ports, url, folder / "serve.log")
    pids = Pids([p.pid for p in servers.processes], database if s.backend == "postgresql" else [])
    try:
        return {
            label: load(ports, token, days, seconds, limit, pids)
            for label, days in (("healthz", 0), ("1 day", 1), ("30 days", 30))
        }
    finally:
        servers.stop()


def report(s: Scenario, loads: dict[str, Load]) -> None:
    base = loads["healthz"]
    print(f"\n{s.name}")
    print(
        f"  {'load':<8} {'req/s':>8} {'upserts/s':>10} {'vs healthz':>10} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'client CPU':>10} {'CPU ms/req: server':>18} {'db':>5}"
    )
    for label, found in loads.items():
        days = {"healthz": 0, "1 day": 1, "30 days": 30}[label]
        upserts = f"{found.per_second * days:,.0f}" if days else "-"
        ratio = f"{found.per_second / base.per_second:.2f}x" if days else "1.00x"
        print(
            f"  {label:<8} {found.per_second:>8,.0f} {upserts:>10} {ratio:>10} "
            f"{found.p50_ms:>8.1f} {found.p99_ms:>8.1f} {found.errors:>6} "
            f"{found.client_cpu:>10.0%} {found.server_ms:>18.2f} {found.db_ms:>5.2f}"
        )
    if s.backend == "postgresql":
        one = loads["1 day"]
        met = one.per_second >= BUDGET_UPSERTS and one.p99_ms <= BUDGET_P99_MS
        print(
            f"  budget (1-day pushes): >= {BUDGET_UPSERTS:,.0f} upserts/s and p99 <= "
            f"{BUDGET_P99_MS:.0f} ms: {'met' if met else 'NOT met'} "
            f"({one.per_second:,.0f}/s, p99 {one.p99_ms:.1f} ms)"
        )


PACKAGES = {
    "uvicorn": "uvicorn (HTTP server, access log)",
    "h11": "h11 (HTTP parsing)",
    "starlette": "starlette (routing, middleware)",
    "fastapi": "fastapi (dependencies, responses)",
    "pydantic": "pydantic (response models)",
    "anyio": "anyio (thread pool)",
    "asyncio": "asyncio (event loop)",
    "sqlalchemy": "sqlalchemy (pool, compile, execute)",
    "psycopg": "psycopg (driver)",
    "hookwise/server": "hookwise.server",
    "hookwise/sync": "hookwise.sync.wire (validation)",
    "json": "json",
    "logging": "logging",
    "threading": "threading",
    "socket": "sockets",
}


def print_profile(path: str, top: int = 12) -> None:
    """Self CPU time by package, then the functions that cost most with what they call."""
    stats = pstats.Stats(path)
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values())
    by_package: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in table.items():
        found = next((label for key, label in PACKAGES.items() if f"/{key}" in filename), None)
        if found is None:
            found = "C built-ins" if filename == "~" else "other Python"
        by_package[found] = by_package.get(found, 0.0) + own
    print(f"\nserver CPU by package (self time; {total:.1f} s over the three loads):")
    for label, own in sorted(by_package.items(), key=lambda item: -item[1]):
        print(f"  {own / total:>6.1%}  {label}")
    print("\nfunctions by CPU including what they call:")
    rows = sorted(table.items(), key=lambda item: item[1][3], reverse=True)
    shown = 0
    for (filename, line, name), (_, _, _, cumulative, _) in rows:
        if filename == "~" or cumulative / total > 0.999:
            continue
        where = filename.rsplit("site-packages/", 1)[-1].rsplit("src/", 1)[-1]
        print(f"  {cumulative / total:>6.1%}  {name}  ({where}:{line})")
        shown += 1
        if shown == top * 2:
            break


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each load's length")
    parser.add_argument("--requests", type=int, default=200_000, help="each load's most requests")
    parser.add_argument("--pg-url", help="a PostgreSQL to use instead of starting one")
    parser.add_argument("--pg-fsync", choices=["on", "off"], default="on")
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql", "levers"], help="one backend, or the levers"
    )
    parser.add_argument("--profile", action="store_true", help="profile one PostgreSQL process")
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--undo", default="", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_here(args.serve, args.port, set(filter(None, args.undo.split(","))), args.profile_to)
        return 0
    print(
        f"{CLIENTS} clients on loopback, {args.seconds:g} s per load (after {WARMUP_S:g} s "
        f"warm-up), {os.cpu_count()} cores shared with the servers and PostgreSQL "
        f"(fsync {args.pg_fsync})"
    )
    import importlib.util

    standard = all(importlib.util.find_spec(m) for m in ("httptools", "uvloop"))
    print(f"uvicorn[standard] (httptools, uvloop) importable: {'yes' if standard else 'no'}")
    folder = Path(tempfile.mkdtemp(prefix="hookwise-bench-load-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        pg_url, postmaster = args.pg_url, []
        if pg_url is None and args.only != "sqlite":
            pg_url, pid = stack.enter_context(postgres(args.pg_fsync == "on"))
            postmaster = [pid]
        if args.profile:
            where = str(folder / "serve.prof")
            s = Scenario("postgresql, 1 process, profiled", "postgresql", 1, "here", ())
            report(
                s, run_scenario(s, pg_url, folder, args.seconds, args.requests, postmaster, where)
            )
            print_profile(where)
            return 0
        for s in SCENARIOS:
            if args.only == "levers" and s.how != "here" and s.name != "postgresql, 1 process":
                continue
            if args.only in ("sqlite", "postgresql") and s.backend != args.only:
                continue
            url = pg_url if s.backend == "postgresql" else f"sqlite:///{folder / s.name[:6]}.db"
            report(s, run_scenario(s, url, folder, args.seconds, args.requests, postmaster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
