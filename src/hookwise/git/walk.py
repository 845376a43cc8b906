"""Commits a store has not seen yet, found by walking parents from new heads.

After a pull, a merge of a fetched branch or a checkout of fetched work, a
hook names only the new HEAD; the commits that came with it are those
reachable from it that the store does not know. libgit2 walks them in
process: the walk stops at the first known commit on every line of history,
so a batch of hooks costs a few object reads, not one ``git`` process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pygit2


def new_commits(repo_path: Path, heads: Iterable[str], known: set[str]) -> list[str]:
    """Commits reachable from ``heads`` that are not in ``known``, each once.

    A head or parent git no longer has (garbage-collected) or that is not a
    commit is skipped: there is nothing to add for it.
    """
    repo = pygit2.Repository(str(repo_path))
    found: list[str] = []
    seen = set(known)
    stack = [h for h in heads if h]
    while stack:
        sha = stack.pop()
        if sha in seen:
            continue
        seen.add(sha)
        try:
            commit = repo[sha].peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError):
            continue
        found.append(sha)
        stack.extend(str(p) for p in commit.parent_ids)
    return found


def present_commits(repo_path: Path, shas: Sequence[str]) -> list[str]:
    """The commits of ``shas`` that git still has, in their order.

    An event may name a commit git has since pruned (an amend's old commit,
    with its reflog expired and ``git gc --prune=now`` run before the worker
    ingested it); reading it would fail the whole ``git log``.
    """
    repo = pygit2.Repository(str(repo_path))
    present: list[str] = []
    for sha in shas:
        try:
            repo[sha].peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError):
            continue
        present.append(sha)
    return present
