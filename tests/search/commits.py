"""A small history to search, built in a real repository, and a way to ask it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.search.engine import search_in_process
from hookwise.search.request import Filters, SearchRequest
from hookwise.store.db import Store
from tests.gitrepo import BASE_TIME, GitRepo
from tests.waiting import wait_for

DAY = 86400
ADA = {"author_name": "Ada Lovelace", "author_email": "ada@example.com"}
GRACE = {"author_name": "Grace Hopper", "author_email": "grace@navy.example"}


@dataclass(frozen=True)
class History:
    paths: RepoPaths
    sha: dict[str, str]  # short name -> sha

    def names(self, shas: list[str]) -> list[str]:
        by_sha = {v: k for k, v in self.sha.items()}
        return [by_sha[s] for s in shas]


def commit(
    repo: GitRepo, message: str, files: dict[str, str], day: int, who: dict[str, str]
) -> str:
    return repo.commit_by(who, message, files, f"{BASE_TIME + day * DAY} +0200")


def build(repo: GitRepo) -> History:
    sha = {
        "colour": commit(
            repo,
            "feat: colour output in the terminal reporter",
            {"src/term/colour.py": "c"},
            0,
            ADA,
        ),
        "cache": commit(
            repo,
            "fix: crash in the cache plugin when its folder is missing",
            {"src/cache/plugin.py": "p"},
            1,
            GRACE,
        ),
        "docs": commit(
            repo, "docs: explain how fixtures are found", {"docs/fixtures.md": "d"}, 2, ADA
        ),
        "py37": commit(
            repo,
            "Drop support for Python 3.7\n\nThe interpreter reached its end of life.",
            {"setup.cfg": "3.8"},
            3,
            GRACE,
        ),
    }
    repo.git("checkout", "-q", "-b", "topic")
    sha["progress"] = commit(
        repo, "fix: off-by-one in the progress bar", {"src/term/progress.py": "p"}, 4, ADA
    )
    repo.git("checkout", "-q", "main")
    sha["split"] = commit(
        repo,
        "refactor: split the collector into modules",
        {"src/collect/a.py": "a", "src/collect/b.py": "b"},
        5,
        GRACE,
    )
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "topic",
        "-m",
        "Merge branch 'topic'",
        date=f"{BASE_TIME + 6 * DAY} +0000",
    )
    sha["merge"] = repo.head()
    paths = discover(repo.path)
    backfill(paths)
    return History(paths, sha)


def find(history: History, query: str, **kw: object) -> list[str]:
    filters = kw.pop("filters", Filters())
    request = SearchRequest(query, filters=filters, **kw)  # type: ignore[arg-type]
    return history.names([h.sha for h in search_in_process(history.paths, request).hits])


def changes(repo: GitRepo, n: int) -> tuple[RepoPaths, list[str]]:
    """``n`` commits "change number i", backfilled; their paths and shas."""
    shas = [repo.commit(f"change number {i}", {f"f{i}.txt": str(i)}) for i in range(n)]
    paths = discover(repo.path)
    backfill(paths)
    return paths, shas


def stored(store: Store) -> dict[str, set[str]]:
    """embedder id -> shas with a vector from it."""
    out: dict[str, set[str]] = {}
    for row in store.read("commit_vectors", columns=["sha", "embedder"]).to_pylist():
        out.setdefault(row["embedder"], set()).add(row["sha"])
    return out


@contextlib.contextmanager
def served(paths: RepoPaths) -> Iterator[None]:
    """The store at ``paths`` embedded and indexed, and a real worker answering for it.

    The worker is another process: the embedder must be a registered one
    (``HOOKWISE_EMBEDDER=hashing``), as a user has.
    """
    from hookwise.capture import registry, rpc
    from hookwise.search import vectors
    from hookwise.search.lexical import ensure_text_index

    store = Store.open(paths)
    while vectors.embed_waiting(store):
        pass
    ensure_text_index(store)
    registry.register(paths.hookwise_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hookwise", "worker", "--foreground"], env=dict(os.environ)
    )
    try:
        wait_for(lambda: rpc.socket_path().exists(), timeout=60.0)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
