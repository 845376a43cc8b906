"""``hookwise search``'s light entry: the warm worker's answer, printed without click.

A warm search should take at most 150 ms from process start to output
(DESIGN §6), and the full CLI spends most of that before it asks anything:
importing click, rich and the command table costs 70-110 ms, and finding
the repository with ``git rev-parse`` (twice) another 10-20 ms. So the
console script sends ``hookwise search ...`` here first
(``hookwise.cli.run``). This module parses the common options itself,
finds the store from git's files (``hookwise.checks.locate``, as ``hookwise
check`` does), asks the worker over its socket, keeps the results for
``hookwise show N`` and prints them with the same view as the full command
(``hookwise.cli.views.hits``). It imports the standard library's ``json``
and ``os``, and hookwise's stdlib-only modules: no click, rich, numpy,
pyarrow or LanceDB.

Whenever the answer needs more, ``main`` returns None and the full command
runs instead, which says and does exactly what it always did: help, an
option this parser does not take (``--since``, which needs the date
parser), a value click would refuse, a repository the files cannot
describe (bare, or unusual configuration), no store, no worker (the full
command starts one and answers in its own process), or an answer the
worker gives as an error (the full command asks again and reports it as
its own). The full command is also the reference: a test runs both on the
same store and compares their output byte for byte.
"""

# os.path, not pathlib: pathlib costs ~6 ms to import.
# ruff: noqa: PTH112, PTH118, PTH120

from __future__ import annotations

import os
import sys

# typing is not loaded on this path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

#: The options taken here, by every name click knows them by, and their keys.
VALUED = {
    "-n": "limit",
    "--limit": "limit",
    "--author": "author",
    "--path": "path",
    "--type": "type",
    "--mode": "mode",
    "--repo": "repo",
}
MODES = ("hybrid", "vector", "text")  # hookwise.search.request.MODES
MAX_LIMIT = 1000  # hookwise.search.request.MAX_LIMIT
#: How long the worker may take; as the full command waits (hookwise.cli.search).
WORKER_TIMEOUT = 60.0
#: Where the last search is kept for ``hookwise show N`` (hookwise.history.show).
LAST_SEARCH_FILE = "last-search.json"
EXIT_INTERRUPTED = 130


class Request:
    """What ``hookwise search`` was asked, in the terms of the worker's ``search`` op."""

    __slots__ = ("as_json", "author", "limit", "mode", "path", "query", "repo", "type")

    def __init__(self, query: str, options: dict[str, str], as_json: bool) -> None:
        self.query = query
        self.limit = int(options.get("limit", "10"))
        self.mode = options.get("mode", "hybrid")
        # Empty values mean "no filter", as in the full command.
        self.author = options.get("author") or None
        self.path = options.get("path") or None
        kind = options.get("type")
        self.type = kind.lower() if kind else None
        self.repo = options.get("repo", ".")
        self.as_json = as_json

    def to_args(self, hookwise_dir: str) -> dict[str, Any]:
        """``SearchRequest.to_args`` for this request, with the store it asks about."""
        filters = {"author": self.author, "since": None, "path": self.path, "type": self.type}
        return {
            "hookwise_dir": hookwise_dir,
            "query": self.query,
            "limit": self.limit,
            "mode": self.mode,
            "filters": filters,
        }


def parse(argv: Sequence[str]) -> Request | None:
    """The request ``argv`` (the words after ``search``) makes; None when click must decide.

    click's grammar, for the options taken here: options and the query in
    any order, ``--opt value``, ``--opt=value`` and ``-nVALUE``, the last of
    a repeated option wins, and everything after ``--`` is an argument.
    """
    options: dict[str, str] = {}
    arguments: list[str] = []
    as_json = False
    words = list(argv)
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            arguments.extend(words[index:])
            break
        if word == "--json":
            as_json = True
            continue
        if not word.startswith("-") or word == "-":
            arguments.append(word)
            continue
        name, given, value = word.partition("=")
        if given and not name.startswith("--"):
            return None  # -n=5 means "=5" to click
        if name not in VALUED and word[:2] == "-n":
            name, given, value = "-n", "attached", word[2:]
        if name not in VALUED:
            return None  # help, --since, or an option click reports
        if not given:
            if index == len(words):
                return None
            value = words[index]
            index += 1
        options[VALUED[name]] = value
    if len(arguments) != 1 or not _valid(options):
        return None
    return Request(arguments[0], options, as_json)


def _valid(options: dict[str, str]) -> bool:
    """Whether click would take these values (else it says why, in its words)."""
    if options.get("mode", "hybrid") not in MODES:
        return False
    try:
        limit = int(options.get("limit", "10"))
    except ValueError:
        return False
    return 1 <= limit <= MAX_LIMIT and os.path.isdir(options.get("repo", "."))


def main(argv: Sequence[str]) -> int | None:
    """Answer ``hookwise search`` from the warm worker; None when the full command must.

    Nothing is printed before the answer is complete, so the full command
    can always take over.
    """
    try:
        return _answer(argv)
    except KeyboardInterrupt:  # as the full command ends on Ctrl-C (hookwise.cli.app.run)
        sys.stderr.write("hookwise: interrupted\n")
        return EXIT_INTERRUPTED


def _answer(argv: Sequence[str]) -> int | None:
    request = parse(argv)
    if request is None:
        return None
    store_dir = _store_dir(request.repo)
    if store_dir is None:
        return None
    answer = _ask(request, os.path.dirname(store_dir))
    if answer is None:
        return None
    hits: list[dict[str, Any]] = answer["hits"]
    try:
        _remember(store_dir, answer["query"], answer["mode"], hits)
    except OSError:
        return None  # a full or read-only disk: the full command says which
    _print(request, hits, answer["notices"])
    return 0


def _store_dir(repo: str) -> str | None:
    """The store of the repository ``repo`` is in, as the full command finds it, or None."""
    from hookwise.checks.locate import read_repository

    # Only what git's files say plainly: every other case is git's to decide,
    # and the full command asks it.
    found = read_repository(repo)
    if found is None:
        return None
    store_dir = os.path.join(found.hookwise_dir, "store")
    return store_dir if os.path.isdir(store_dir) else None


def _ask(request: Request, hookwise_dir: str) -> dict[str, Any] | None:
    """The worker's ``SearchResult.to_json``; None without one, or for an error to report."""
    from hookwise.capture import rpc
    from hookwise.errors import WorkerError

    try:
        answer = rpc.call("search", request.to_args(hookwise_dir), timeout=WORKER_TIMEOUT)
    except (WorkerError, OSError):
        return None
    if not isinstance(answer, dict) or "error" in answer:
        return None
    return answer


def _remember(store_dir: str, query: str, mode: str, hits: list[dict[str, Any]]) -> None:
    """``hookwise.history.show.remember_search``, without its imports (pathlib, git)."""
    import time

    from hookwise.capture.jsonfile import write_object

    shas = [hit["sha"] for hit in hits]
    data = {"query": query, "mode": mode, "time": int(time.time()), "shas": shas}
    write_object(os.path.join(store_dir, LAST_SEARCH_FILE), data)


def _print(request: Request, hits: list[dict[str, Any]], notices: list[str]) -> None:
    """What the full command prints for the same answer, on the same streams."""
    import json

    for notice in notices:
        _echo(sys.stderr, f"hookwise: {notice}")
    if request.as_json:
        rows = [_contract(hit) for hit in hits]
        _echo(sys.stdout, json.dumps(rows, ensure_ascii=False))
        return
    if not hits:
        _echo(sys.stderr, "no commits found")
        return
    from hookwise.cli.views.hits import hit_line

    width = None
    if sys.stdout.isatty():  # subjects are cut to the terminal's width, never in a pipe
        import shutil

        width = shutil.get_terminal_size().columns
    for rank, hit in enumerate(hits, 1):
        line = hit_line(
            rank, hit["sha"], hit["date"], hit["author"], hit["score"], hit["subject"], width
        )
        _echo(sys.stdout, line)


def _contract(hit: dict[str, Any]) -> dict[str, Any]:
    """``Hit.to_json``: the DESIGN §5 contract ``{"sha","subject","date","author","score"}``."""
    return {
        "sha": hit["sha"],
        "subject": hit["subject"],
        "date": hit["date"],
        "author": hit["author"],
        "score": round(hit["score"], 4),
    }


def _echo(stream: Any, line: str) -> None:
    """``click.echo``: a line, flushed, without ANSI escapes when not on a terminal."""
    if "\x1b" in line and not stream.isatty():
        import re

        line = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", line)  # click's own pattern
    stream.write(line + "\n")
    stream.flush()
