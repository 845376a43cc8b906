"""Commands over history by meaning: search, show, reindex.

``search`` asks the warm worker over its socket; without one it starts one
(for next time) and answers in this process, which is slower the first time
(LanceDB, and the model for vector search, load here).
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli import main
from hookwise.errors import HookwiseError, StoreMissingError, UsageError, WorkerError
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.search.engine import SearchRequest, SearchResult

MODES = ("hybrid", "vector", "text")

repo_option = click.option(
    "--repo",
    "repo_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The repository (any folder inside it).",
)


def _since_epoch(text: str) -> int:
    """``30d``, ``4w`` or ``YYYY-MM-DD`` -> the start of that day, local time."""
    from hookwise.insights.metrics import parse_since

    start = parse_since(text, date.today()).start
    assert start is not None
    return int(datetime.combine(start, time.min).astimezone().timestamp())


def _ask(paths: RepoPaths, request: SearchRequest) -> SearchResult:
    """The worker's answer, or this process's when no worker answers."""
    from hookwise.capture import rpc
    from hookwise.capture.settings import Settings
    from hookwise.search.engine import SearchResult

    args = {"hookwise_dir": str(paths.hookwise_dir), **request.to_args()}
    answer = None
    try:
        answer = rpc.call("search", args, timeout=60.0)
    except (WorkerError, OSError):
        answer = None  # a worker that fails or hangs is no reason to fail the search
    if isinstance(answer, dict) and "error" in answer:
        kind = answer.get("kind")
        message = str(answer["error"])
        raise UsageError(message) if kind == "UsageError" else HookwiseError(message)
    if isinstance(answer, dict):
        return SearchResult.from_json(answer)
    if not Settings().no_worker:
        from hookwise.capture.wake import ensure_worker

        ensure_worker(paths.hookwise_dir)
    from hookwise.search.engine import search_in_process

    return search_in_process(paths, request)


def _print_hits(result: SearchResult) -> None:
    # Subjects are cut to the terminal's width, never in a pipe.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for rank, hit in enumerate(result.hits, 1):
        day = hit.date[:10]
        head = f"{rank:>3}  {hit.sha[:10]}  {day}  {hit.author[:18]:<18}  {hit.score:7.3f}  "
        subject = hit.subject
        if width is not None and len(head) + len(subject) > width:
            subject = subject[: max(20, width - len(head)) - 1] + "…"
        click.echo(head + subject)


@main.command()
@click.argument("query")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="How many results.",
)
@click.option("--author", help="Only commits whose author name or email contains this.")
@click.option("--since", metavar="30d|4w|DATE", help="Only commits made since then.")
@click.option(
    "--path",
    "path_glob",
    metavar="GLOB",
    help="Only commits touching a matching path (a glob, or a folder and what is below it).",
)
@click.option(
    "--type",
    "commit_type",
    metavar="TYPE",
    help="Only conventional commits of this type (feat, fix, docs, ...), or merge / revert.",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="hybrid",
    show_default=True,
    help="Rank by meaning (vector), by words (text, BM25) or both fused.",
)
@click.option("--json", "as_json", is_flag=True, help='Write [{"sha","subject","date",...}].')
@repo_option
def search(
    query: str,
    limit: int,
    author: str | None,
    since: str | None,
    path_glob: str | None,
    commit_type: str | None,
    mode: str,
    as_json: bool,
    repo_path: Path,
) -> None:
    """Find commits by what they did, in your own words.

    Prints rank, short sha, date, author, score and subject, best first;
    `hookwise show N` then shows the N-th result.
    """
    from hookwise.history.show import remember_search
    from hookwise.search.engine import Filters, SearchRequest

    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    request = SearchRequest(
        query=query,
        limit=limit,
        mode=mode,
        filters=Filters(
            author=author or None,
            since=_since_epoch(since) if since else None,
            path=path_glob or None,
            type=commit_type.lower() if commit_type else None,
        ),
    )
    result = _ask(paths, request)
    remember_search(paths, result)
    for notice in result.notices:
        click.echo(f"hookwise: {notice}", err=True)
    if as_json:
        click.echo(json.dumps([hit.to_json() for hit in result.hits], ensure_ascii=False))
        return
    if not result.hits:
        click.echo("no commits found", err=True)
        return
    _print_hits(result)


@main.command()
@click.argument("ref", metavar="N|SHA")
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object.")
@repo_option
def show(ref: str, as_json: bool, repo_path: Path) -> None:
    """Show a commit: the N-th result of the last search, or any commit (a sha prefix).

    Opening a search result tells later searches that it answered that query.
    """
    from hookwise.history.show import show as service

    view = service(discover(repo_path), ref)
    if as_json:
        click.echo(json.dumps(view.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(view.render())


@main.command()
@click.option(
    "--embedder",
    metavar="NAME",
    help="The embedder to move the store to (minilm, hashing); default: the best installed.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@repo_option
def reindex(embedder: str | None, quiet: bool, repo_path: Path) -> None:
    """Embed every commit again, with another embedder or a freshly fitted one.

    Search keeps using the old vectors until the new ones are complete.
    """
    from hookwise.search.vectors import reindex as service

    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    if sys.stderr.isatty() and not quiet:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("embedding commits", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = service(paths, embedder, progress=progress)
    else:
        result = service(paths, embedder)
    if not quiet:
        before = f" (was {result.previous})" if result.previous else ""
        click.echo(
            f"embedded {result.commits:,} commits with {result.embedder}{before} "
            f"in {result.seconds:.1f}s ({result.commits_per_second:,.0f} commits/s)"
        )
