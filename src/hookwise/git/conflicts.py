"""Did a merge have conflicts? Re-merge its first two parents in memory.

A merge *had conflicts* when merging its first two parents again yields
conflicts (DESIGN §4); a merge commit alone says nothing. ``git merge-tree
--write-tree --stdin`` re-merges a whole batch in one process with the same
ort strategy git used (~3,400 merges/s on pytest's history); libgit2's
``merge_commits`` (~900/s) is the fallback for unrelated histories, which
``merge-tree`` refuses, and for git older than 2.38.

On git.git's history one process re-merges only ~110 merges/s (large trees,
frequent conflicts in the release notes), so ``check_merges_parallel`` cuts
a batch into one ``merge-tree --stdin`` per core.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hookwise.git.runner import complete_git
from hookwise.records import CommitRecord


@dataclass(frozen=True)
class MergeCheck:
    sha: str
    had_conflicts: bool
    conflict_paths: tuple[str, ...]


def _parse_merge_tree(out: bytes, count: int) -> list[tuple[bool, tuple[str, ...]]]:
    """Parse ``merge-tree --stdin -z --name-only --no-messages`` output.

    Per merge: ``status NUL tree NUL path NUL ... NUL`` (an empty field ends it).
    """
    fields = out.split(b"\0")
    results: list[tuple[bool, tuple[str, ...]]] = []
    i = 0
    while len(results) < count and i + 1 < len(fields):
        status = fields[i]
        i += 2  # status, tree
        paths: list[str] = []
        while i < len(fields) and fields[i] != b"":
            paths.append(fields[i].decode("utf-8", errors="surrogateescape"))
            i += 1
        i += 1  # the empty field that ends this merge
        if status not in (b"0", b"1"):
            break
        results.append((status == b"0", tuple(paths)))
    return results


def _pygit2_check(repo_path: Path, first: str, second: str) -> tuple[bool, tuple[str, ...]]:
    import pygit2

    repo = pygit2.Repository(str(repo_path))
    try:
        base = repo.merge_base(first, second)
    except (KeyError, ValueError, pygit2.GitError):
        base = None
    if base is None:
        # Unrelated histories: merge against an empty tree, as
        # `git merge --allow-unrelated-histories` does.
        empty = repo.TreeBuilder().write()
        index = repo.merge_trees(
            empty, repo[first].peel(pygit2.Tree), repo[second].peel(pygit2.Tree)
        )
    else:
        index = repo.merge_commits(first, second)
    if index.conflicts is None:
        return False, ()
    paths = sorted({next(e for e in entry if e is not None).path for entry in index.conflicts})
    return True, tuple(paths)


def with_check(record: CommitRecord, check: MergeCheck | None, **changes: Any) -> CommitRecord:
    """``record`` with a merge check's verdict (``None``: not a merge) and ``changes``."""
    return replace(
        record,
        had_conflicts=check.had_conflicts if check else None,
        conflict_paths=check.conflict_paths if check else (),
        **changes,
    )


def check_merges(repo: Path, merges: Sequence[tuple[str, str, str]]) -> list[MergeCheck]:
    """Check merges given as ``(sha, first_parent, second_parent)``."""
    results: list[MergeCheck] = []
    pending = list(merges)
    while pending:
        stdin = "".join(f"{p1} {p2}\n" for _, p1, p2 in pending).encode()
        # With --stdin a conflicted merge exits 0 (its status field says 1);
        # a merge it refuses ends the run with 128 after the answered ones.
        proc = complete_git(
            ["merge-tree", "--write-tree", "--stdin", "-z", "--name-only", "--no-messages"],
            cwd=repo,
            input=stdin,
        )
        done = _parse_merge_tree(proc.stdout, len(pending))
        for (sha, _, _), (conflicted, paths) in zip(pending, done, strict=False):
            results.append(MergeCheck(sha, conflicted, paths))
        pending = pending[len(done) :]
        if pending and proc.returncode != 0:
            # merge-tree stopped at this merge (unrelated histories, or a git
            # without --write-tree): let libgit2 answer it, then go on.
            sha, p1, p2 = pending.pop(0)
            conflicted, paths = _pygit2_check(repo, p1, p2)
            results.append(MergeCheck(sha, conflicted, paths))
    return results


def check_merges_parallel(
    repo: Path, merges: Sequence[tuple[str, str, str]], *, jobs: int
) -> list[MergeCheck]:
    """``check_merges`` with ``merges`` cut into ``jobs`` parts, one git process each.

    The answers come back in the order of ``merges``.
    """
    if jobs <= 1 or len(merges) < 2:
        return check_merges(repo, merges)
    # Every jobs-th merge to each process, not contiguous parts: neighbouring
    # merges cost alike (one release's big tree), so the processes end together.
    parts = [merges[i::jobs] for i in range(min(jobs, len(merges)))]
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        answered = {
            c.sha: c for part in pool.map(lambda p: check_merges(repo, p), parts) for c in part
        }
    return [answered[sha] for sha, _, _ in merges if sha in answered]
