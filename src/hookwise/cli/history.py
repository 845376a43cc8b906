"""Commands over the captured history: backfill, status, export, show, gc."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.capture.locations import RepoPaths
from hookwise.cli.options import json_option, repo_option
from hookwise.cli.views.figures import count, human_bytes
from hookwise.errors import UsageError
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.history.result import BackfillResult


#: How long the command waits for the worker's run before doing its own. A
#: fetch of a few hundred commits takes under a second there; longer than
#: the run's 120 s wait for the store lock, so a locked store comes back as
#: that error. A run that outlives this still holds the lock, so the
#: command's own run waits for it and finds nothing new (never a commit
#: stored twice).
WORKER_TIMEOUT = 150.0


def _from_worker(paths: RepoPaths) -> BackfillResult | None:
    """The warm worker's incremental run; None when this process should run it.

    A first run reads the whole history behind a progress bar, so it runs
    here; so does any run without a worker, or with one that fails, hangs
    or does not know the operation (asked once, never twice).
    """
    from hookwise.capture.ask import ask
    from hookwise.history.result import BackfillResult, state_path

    if not state_path(paths).exists():
        return None
    args = {"worktree": str(paths.worktree)} if paths.worktree else {}
    answer = ask("backfill", paths.hookwise_dir, args, timeout=WORKER_TIMEOUT)
    try:
        return BackfillResult.from_json(answer) if isinstance(answer, dict) else None
    except (KeyError, TypeError):
        return None


def _in_process(paths: RepoPaths, *, quiet: bool) -> BackfillResult:
    """Backfill here, with a progress bar on a terminal."""
    from hookwise.history.backfill import backfill as service

    if sys.stderr.isatty() and not quiet:
        from hookwise.cli.views.progress import progress_bar

        with progress_bar(stderr=True) as bar:
            task = bar.add_task("reading history", total=None)

            def progress(stage: str, advance: int, total: int) -> None:
                bar.update(task, total=total, advance=advance)

            return service(paths, progress=progress)
    return service(paths)


def run_backfill(paths: RepoPaths, *, quiet: bool = False, foreground: bool = False) -> None:
    """Backfill, in the warm worker when one runs (``_from_worker``) or here; one line always."""
    result = None if foreground else _from_worker(paths)
    if result is None:
        result = _in_process(paths, quiet=quiet)
    if result.pending_checks:
        from hookwise.capture.settings import Settings
        from hookwise.capture.wake import ensure_worker

        # The worker re-merges them in the background (hookwise.worker.conflicts).
        if not Settings().no_worker:
            ensure_worker(paths.hookwise_dir)
    if not quiet:
        rate = f", {result.commits_per_second:,.0f} commits/s" if result.commits >= 100 else ""
        conflicts = (
            f"{result.pending_checks:,} to check for conflicts in the background"
            if result.pending_checks
            else f"{result.conflicted} with conflicts"
        )
        click.echo(
            f"backfilled {count(result.commits, 'commit')} ({count(result.merges, 'merge')}, "
            f"{conflicts}) and {count(result.ref_events, 'branch event')} "
            f"in {result.seconds:.1f}s{rate}"
        )
        if result.pending_checks:
            click.echo("`hookwise status` shows how many merges wait, and how fast they go")


@click.command()
@repo_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option(
    "--foreground",
    is_flag=True,
    help="Run in this process even when the worker runs (with a progress bar on a terminal).",
)
def backfill(repo_path: Path, quiet: bool, foreground: bool) -> None:
    """Put the existing history into the store (incremental: reads only what is new).

    The first run reads the whole history here, with a progress bar on a
    terminal. Later runs read only the commits and branch events that are
    new since the last one; when the worker runs, it does that work and
    this command prints its answer, which spares loading the store here.
    """
    run_backfill(discover(repo_path), quiet=quiet, foreground=foreground)


@click.command()
@repo_option
@json_option()
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

    from hookwise.cli.views.status import status_table

    Console().print(status_table(report, paths))


@click.command()
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
        rows = service(store, table, fh, vectors=vectors)
    tmp.replace(output)
    click.echo(f"wrote {rows} rows to {output}", err=True)


@click.command()
@click.argument("ref", metavar="N|SHA")
@json_option()
@repo_option
def show(ref: str, as_json: bool, repo_path: Path) -> None:
    """Show a commit: the N-th result of the last search, or any commit (a sha prefix).

    Opening a search result tells later searches that it answered that query.
    """
    from hookwise.cli.views.commit import render_commit
    from hookwise.history.show import show as service

    view = service(discover(repo_path), ref)
    if as_json:
        click.echo(json.dumps(view.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(render_commit(view))


@click.command()
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
    with store.lock(timeout=60):
        store.optimize(prune_older_than=timedelta(hours=keep))
    after = store.size_bytes()
    click.echo(f"compacted: {human_bytes(before)} -> {human_bytes(after)}")


COMMANDS = (backfill, status, export, show, gc)
