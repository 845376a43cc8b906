"""``hookwise show N|SHA``: one commit's message, stats and diff summary.

``N`` is the N-th result of the last ``hookwise search`` in this repository
(kept in ``<store>/last-search.json``); anything else is a revision git
understands (a sha prefix, a branch, ``HEAD~2``). Showing a commit that the
last search returned records a click for that search's query, which later
searches use to re-rank (``hookwise.search.clicks.click_boost``).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hookwise.capture.jsonfile import write_object
from hookwise.capture.locations import RepoPaths
from hookwise.errors import GitError, StoreReadOnlyError, UsageError
from hookwise.git.log import tz_minutes, zone
from hookwise.git.runner import git
from hookwise.store.faults import writing

if TYPE_CHECKING:
    from hookwise.search.request import SearchResult

LAST_SEARCH_FILE = "last-search.json"
# A result number is short; a sha prefix git accepts has at least 4 digits.
_RESULT_NUMBER = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class FileStat:
    path: str
    insertions: int | None  # None for a binary file
    deletions: int | None


@dataclass(frozen=True)
class CommitView:
    """A commit as ``hookwise show`` gives it; ``hookwise.cli.views.commit`` words it."""

    sha: str
    parents: tuple[str, ...]
    author: str
    author_email: str
    date: str  # ISO 8601, the author's time zone
    subject: str
    body: str
    files: tuple[FileStat, ...]
    query: str | None = None  # the search this commit was opened from
    rank: int | None = None

    @property
    def insertions(self) -> int:
        return sum(f.insertions or 0 for f in self.files)

    @property
    def deletions(self) -> int:
        return sum(f.deletions or 0 for f in self.files)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["files_changed"] = len(self.files)
        data["insertions"] = self.insertions
        data["deletions"] = self.deletions
        return data


# -- the last search ------------------------------------------------------------------


def last_search_path(paths: RepoPaths) -> Path:
    return paths.store_dir / LAST_SEARCH_FILE


def remember_search(paths: RepoPaths, result: SearchResult) -> None:
    """Keep a search's results so ``hookwise show N`` can open them."""
    path = last_search_path(paths)
    data = {
        "query": result.query,
        "mode": result.mode,
        "time": int(time.time()),
        "shas": [hit.sha for hit in result.hits],
    }
    try:
        with writing(paths.store_dir):
            write_object(path, data)
    except StoreReadOnlyError:
        # A read-only store is searched, not written: the search still answers.
        return


def last_search(paths: RepoPaths) -> tuple[str, list[str]] | None:
    """The last search's query and result shas, or None if there was none."""
    try:
        data = json.loads(last_search_path(paths).read_text())
        return str(data["query"]), [str(s) for s in data["shas"]]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


# -- showing ------------------------------------------------------------------------------


def _repo(paths: RepoPaths) -> Path:
    return paths.worktree or paths.common_dir


def resolve(paths: RepoPaths, ref: str) -> tuple[str, str | None, int | None]:
    """(sha, query, rank): the commit ``ref`` names, and the search it came from."""
    last = last_search(paths)
    if _RESULT_NUMBER.match(ref):
        if last is None:
            raise UsageError(
                f"there is no search to take result {ref} from; run `hookwise search QUERY` "
                "first, or give a commit sha"
            )
        query, shas = last
        n = int(ref)
        if not shas:
            raise UsageError(
                f"the last search ({query!r}) found nothing, so it has no result {ref}; "
                "search again with other words, or give a commit sha"
            )
        if not 1 <= n <= len(shas):
            raise UsageError(
                f"the last search ({query!r}) returned {len(shas)} result(s); "
                f"choose a number from 1 to {len(shas)}"
            )
        return shas[n - 1], query, n
    try:
        out = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=_repo(paths))
    except GitError:
        raise UsageError(
            f"{ref!r} is neither a result number of the last search nor a commit in this "
            "repository; give a number from `hookwise search` or a sha"
        ) from None
    sha = out.decode().strip()
    if last is not None and sha in last[1]:
        return sha, last[0], last[1].index(sha) + 1
    return sha, None, None


def _numstat(paths: RepoPaths, sha: str, parents: tuple[str, ...]) -> tuple[FileStat, ...]:
    # A merge is summarised against its first parent: what it brought in.
    base = ["diff", "--numstat", "-z", "--no-renames", parents[0], sha] if parents else None
    args = base or ["show", "--numstat", "-z", "--no-renames", "--format=", sha]
    out = git("-c", "core.quotepath=off", *args, cwd=_repo(paths)).decode(errors="replace")
    files = []
    for record in out.split("\0"):
        parts = record.strip("\n").split("\t", 2)
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        files.append(
            FileStat(
                path,
                None if added == "-" else int(added),
                None if deleted == "-" else int(deleted),
            )
        )
    return tuple(files)


def read_commit(paths: RepoPaths, sha: str) -> CommitView:
    fields = "%H%x00%P%x00%an%x00%ae%x00%at%x00%ad%x00%s%x00%b"
    out = git("show", "-s", f"--format={fields}", "--date=format:%z", sha, cwd=_repo(paths)).decode(
        errors="replace"
    )
    full, parents, name, email, when, offset, subject, body = out.split("\0", 7)
    minutes = tz_minutes(offset) if offset else 0
    date = datetime.fromtimestamp(int(when), zone(minutes)).isoformat()
    parent_shas = tuple(parents.split())
    return CommitView(
        sha=full,
        parents=parent_shas,
        author=name,
        author_email=email,
        date=date,
        subject=subject,
        body=body.rstrip("\n"),
        files=_numstat(paths, full, parent_shas if len(parent_shas) > 1 else ()),
    )


def show(paths: RepoPaths, ref: str, *, record: bool = True) -> CommitView:
    """The commit ``ref`` names; records a click when it is a search result."""
    sha, query, rank = resolve(paths, ref)
    view = read_commit(paths, sha)
    if query is not None:
        if record:
            record_click(paths, query, sha)
        view = CommitView(**{**asdict(view), "files": view.files, "query": query, "rank": rank})
    return view


def record_click(paths: RepoPaths, query: str, sha: str) -> None:
    """Through the worker when it runs (no LanceDB import here), else directly."""
    from hookwise.capture import rpc
    from hookwise.errors import WorkerError

    args = {"hookwise_dir": str(paths.hookwise_dir), "query": query, "sha": sha}
    try:
        if rpc.call("click", args, timeout=10.0) is not None:
            return
    except (WorkerError, OSError):
        pass
    from hookwise.search.clicks import record_click as store_click
    from hookwise.store.db import Store

    # A click only tunes later rankings: on a read-only store it is not kept.
    with contextlib.suppress(StoreReadOnlyError):
        store_click(Store.open(paths, create=False), query, sha)
