"""Commands over history by meaning: search, reindex.

``search`` asks the warm worker over its socket; without one it starts one
(for next time) and answers in this process, which is slower the first time
(LanceDB, and the model for vector search, load here).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli.options import json_option, repo_option, since_epoch
from hookwise.errors import StoreMissingError
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.search.request import SearchRequest, SearchResult

MODES = ("hybrid", "vector", "text")


def _ask(paths: RepoPaths, request: SearchRequest) -> SearchResult:
    """The worker's answer, or this process's when no worker answers."""
    from hookwise.capture.ask import ask
    from hookwise.search.request import SearchResult

    answer = ask("search", paths.hookwise_dir, request.to_args(), timeout=60.0)
    if isinstance(answer, dict):
        return SearchResult.from_json(answer)
    from hookwise.search.engine import search_in_process

    return search_in_process(paths, request)


@click.command()
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
@json_option('Write [{"sha","subject","date",...}].')
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
    from hookwise.search.request import Filters, SearchRequest

    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    request = SearchRequest(
        query=query,
        limit=limit,
        mode=mode,
        filters=Filters(
            author=author or None,
            since=since_epoch(since) if since else None,
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
    from hookwise.cli.views.hits import hit_lines

    # Subjects are cut to the terminal's width, never in a pipe.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    for line in hit_lines(result, width):
        click.echo(line)


@click.command()
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
    from hookwise.search.reindex import reindex as service

    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    if sys.stderr.isatty() and not quiet:
        from hookwise.cli.views.progress import progress_bar

        with progress_bar() as bar:
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


COMMANDS = (search, reindex)
