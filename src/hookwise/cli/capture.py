"""Commands around capture and the store: backfill, worker, status, export, gc."""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import click

from hookwise.capture.locations import RepoPaths
from hookwise.cli import main, repo_option
from hookwise.errors import HookwiseError, StoreError, UsageError
from hookwise.git.repo import discover


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def run_backfill(paths: RepoPaths, *, quiet: bool = False) -> None:
    """Backfill with a progress bar on a terminal, a one-line summary always."""
    from hookwise.history.backfill import backfill

    interactive = sys.stderr.isatty() and not quiet
    if interactive:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("reading history", total=None)

            def progress(stage: str, advance: int, total: int) -> None:
                bar.update(task, total=total, advance=advance)

            result = backfill(paths, progress=progress)
    else:
        result = backfill(paths)
    if not quiet:
        rate = f", {result.commits_per_second:,.0f} commits/s" if result.commits >= 100 else ""
        click.echo(
            f"backfilled {_count(result.commits, 'commit')} ({_count(result.merges, 'merge')}, "
            f"{result.conflicted} with conflicts) and {_count(result.ref_events, 'branch event')} "
            f"in {result.seconds:.1f}s{rate}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@main.command()
@repo_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def backfill(repo_path: Path, quiet: bool) -> None:
    """Put the existing history into the store (incremental: reads only what is new)."""
    run_backfill(discover(repo_path), quiet=quiet)


@main.command()
@click.option("--foreground", is_flag=True, help="Stay attached to the terminal (debugging).")
@click.option("--detach", is_flag=True, hidden=True, help="Run in the background (hooks).")
@click.option(
    "--register",
    type=click.Path(path_type=Path),
    hidden=True,
    help="A .git/hookwise directory to add to the worker's registry.",
)
@click.option("--once", is_flag=True, help="Drain this repository's spool now, then exit.")
@click.option("--stop", is_flag=True, help="Stop the running worker.")
@click.option("--idle", type=float, default=None, help="Seconds without events before it exits.")
@repo_option
def worker(
    foreground: bool,
    detach: bool,
    register: Path | None,
    once: bool,
    stop: bool,
    idle: float | None,
    repo_path: Path,
) -> None:
    """Run the background worker that moves spooled events into the store.

    Hooks start it on demand and it exits when idle; run it with --foreground
    to watch it, or --once to drain one repository's spool in this process.
    """
    from hookwise.worker import daemon, drain

    if stop:
        stopped = _stop_worker()
        click.echo("worker stopped" if stopped else "no worker is running")
        return
    if once:
        paths = discover(repo_path)
        result = drain.drain_now(paths)
        click.echo(f"ingested {result.events} events ({result.commits} new commits)")
        if result.corrupt:
            raise HookwiseError(
                f"{len(result.corrupt)} corrupt spool event(s) could not be read and were "
                f"moved to {paths.corrupt_dir} (details in {paths.log_path}); "
                "delete them once inspected"
            )
        return
    if not (foreground or detach or register):
        raise UsageError(
            "the worker starts by itself when a hook needs it; use --foreground to run it "
            "here, --once to drain this repository now, or --stop to stop it"
        )
    sys.exit(daemon.run_worker(register=register, detach=detach, idle_seconds=idle))


def _stop_worker() -> bool:
    import os
    import signal

    from hookwise.capture.wake import worker_pid

    pid = worker_pid()
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and worker_pid() == pid:
        time.sleep(0.05)
    return True


@main.command()
@repo_option
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object.")
def status(repo_path: Path, as_json: bool) -> None:
    """Show whether capture works: hooks, worker, spool backlog, store contents, errors."""
    from hookwise.capture import registry
    from hookwise.history.status import status as service

    paths = discover(repo_path)
    if (paths.hookwise_dir / "registered").exists():
        registry.register(paths.hookwise_dir)  # heals a lost registry entry
    report = service(paths)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    hooks = report.hooks
    table.add_row("repository", report.repository)
    table.add_row("hooks", _describe_hooks(hooks))
    table.add_row(
        "worker",
        f"running (pid {report.worker_pid})" if report.worker_running else "not running",
    )
    table.add_row("spool backlog", f"{report.spool_backlog} events")
    if report.corrupt_events:
        table.add_row("corrupt events", f"{report.corrupt_events} (see {paths.corrupt_dir})")
    for name, count in report.rows.items():
        table.add_row(f"{name}", f"{count:,} rows")
    table.add_row("store", f"{human_bytes(report.store_bytes)} in {report.store}")
    if report.embedder is not None:
        waiting = int(report.embedder["waiting"])
        table.add_row(
            "embedder",
            f"{report.embedder['description']}; "
            + (
                f"{waiting:,} commit{'s wait' if waiting != 1 else ' waits'} for a vector"
                if waiting
                else "every commit has a vector"
            ),
        )
    if report.last_event_time:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(report.last_event_time))
        table.add_row("last event", when)
    table.add_row("last error", report.last_error or "none")
    Console().print(table)


def _describe_hooks(hooks: dict[str, object]) -> str:
    native = hooks.get("native") or {}
    precommit = hooks.get("pre_commit") or {}
    names = [n for n, on in dict(native).items() if on] if isinstance(native, dict) else []
    managed = [n for n, on in dict(precommit).items() if on] if isinstance(precommit, dict) else []
    parts = []
    if names:
        parts.append("native: " + ", ".join(sorted(names)))
    if managed:
        parts.append("pre-commit: " + ", ".join(sorted(managed)))
    return "; ".join(parts) or "not installed (run `hookwise install`)"


@main.command()
@click.argument("table")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--vectors", is_flag=True, help="Include embedding vectors.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@repo_option
def export(table: str, fmt: str, vectors: bool, output: Path | None, repo_path: Path) -> None:
    """Write a table (commits, ref_events, ...) as JSON lines."""
    from hookwise.history.export import export as service
    from hookwise.store import schema
    from hookwise.store.db import Store

    if table not in schema.TABLES:
        raise UsageError(f"unknown table {table!r}; choose one of: {', '.join(schema.TABLES)}")
    paths = discover(repo_path)
    store = Store.open(paths, create=False)
    if output is None:
        service(store, table, sys.stdout, vectors=vectors)
        return
    tmp = output.with_name(output.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        count = service(store, table, fh, vectors=vectors)
    tmp.replace(output)
    click.echo(f"wrote {count} rows to {output}", err=True)


@main.command()
@repo_option
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Keep table versions newer than this many hours (0 prunes all but the latest).",
)
def gc(repo_path: Path, keep: int) -> None:
    """Compact the store's tables and prune old versions."""
    from hookwise.store.db import Store

    paths = discover(repo_path)
    store = Store.open(paths, create=False)
    before = store.size_bytes()
    try:
        with store.lock(timeout=60):
            store.optimize(prune_older_than=timedelta(hours=keep))
    except StoreError:
        raise
    after = store.size_bytes()
    click.echo(f"compacted: {human_bytes(before)} -> {human_bytes(after)}")
