"""Old→new commit pairs of an amend or rebase when git did not hand them over.

Native post-rewrite hooks get the pairs on stdin. The pre-commit framework
does not pass that stdin on, so the pairs are recovered from the HEAD reflog:
an amend is the newest ``commit (amend)`` entry; a rebase runs from the
newest ``rebase (start)`` entry (whose old side is the branch tip before) to
HEAD, and its commits are paired by author and author date, which a rebase
keeps. Old commits without a partner (dropped or squashed) pair with "".
"""

from __future__ import annotations

from pathlib import Path

import pygit2

from hookwise.git import reflog
from hookwise.git.log import rev_list


def _newest(entries: list[reflog.ReflogEntry], prefix: str) -> reflog.ReflogEntry | None:
    for entry in reversed(entries):
        if entry.message.startswith(prefix):
            return entry
    return None


def from_reflog(repo_path: Path, git_dir: Path, command: str, head: str) -> list[tuple[str, str]]:
    entries, _ = reflog.read(git_dir / "logs" / "HEAD")
    if command == "amend":
        entry = _newest(entries, "commit (amend)")
        return [(entry.old, entry.new)] if entry else []
    start = _newest(entries, "rebase (start)")
    if start is None or not head:
        return []
    before = start.old
    old = [sha for sha, _ in rev_list(repo_path, [before], [head])]
    new = [sha for sha, _ in rev_list(repo_path, [head], [before])]
    repo = pygit2.Repository(str(repo_path))

    def key(sha: str) -> tuple[str, int, int]:
        author = repo[sha].peel(pygit2.Commit).author
        return author.email, author.time, author.offset

    by_key: dict[tuple[str, int, int], str] = {}
    for sha in new:
        by_key.setdefault(key(sha), sha)
    return [(sha, by_key.get(key(sha), "")) for sha in reversed(old)]
