"""Files as a commit holds them, many at once, and the commits that last touched them.

Fix detection compares, for every finding a check run reported, the file as
the run before saw it with the file after: thousands of findings after a
big change. One ``git`` process per file would cost ~2 ms each (4 s for
2,000); ``git cat-file --batch`` answers them all from one process, and
``git log --stdin`` takes every path of a range in one walk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hookwise.git.runner import run_git


@dataclass(frozen=True)
class Touch:
    """The newest commit of a range that touched a path (added, changed or deleted it)."""

    commit: str
    time: int  # committer time, epoch seconds


def blobs(repo: Path, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
    """The content of each ``(rev, path)`` in one ``git cat-file --batch``.

    None where the revision does not hold the path as a file (deleted, never
    there, a directory or a submodule) or the revision itself is gone (a
    rewritten or shallow history): callers skip what they cannot read. A
    path that cannot be named on one line (it holds a newline) is None too.
    ``repo`` is a worktree or a git directory.
    """
    requests = list(dict.fromkeys(wanted))
    found: dict[tuple[str, str], bytes | None] = dict.fromkeys(requests)
    asked = [(rev, path) for rev, path in requests if "\n" not in rev + path]
    if not asked:
        return found
    stdin = "".join(f"{rev}:{path}\n" for rev, path in asked).encode()
    out = run_git(["cat-file", "--batch"], cwd=repo, input=stdin, what="reading files from git")
    at = 0
    for key in asked:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) != 3:  # "<name> missing", "<name> ambiguous"
            continue
        size = int(header[2])
        if header[1] == b"blob":
            found[key] = out[at : at + size]
        at += size + 1  # the content is followed by a newline
    return found


def last_touches(repo: Path, old: str, new: str, paths: Iterable[str]) -> dict[str, Touch]:
    """For each of ``paths``, the newest commit in ``old..new`` that touched it.

    A path no commit of the range touched is absent. Merges touch nothing
    here (their changes are the side commits'), and renames count as a
    delete and an add, as a fingerprint, which includes the path, sees
    them. Raises ``GitError`` when a revision is unknown (a rewritten or
    shallow history): the caller decides what that means.
    """
    wanted = sorted({path for path in paths if "\n" not in path})
    if not wanted or old == new:
        return {}
    stdin = ("--\n" + "".join(f"{path}\n" for path in wanted)).encode()
    out = run_git(
        [
            "log",
            "--no-renames",
            "--name-only",
            "-z",
            "--format=%x1e%H %ct",
            "--stdin",
            f"{old}..{new}",
        ],
        cwd=repo,
        input=stdin,
        what="listing the commits that changed the files",
    )
    touches: dict[str, Touch] = {}
    for record in out.decode("utf-8", errors="surrogateescape").split("\x1e")[1:]:
        header, _, names = record.partition("\0")
        sha, _, when = header.partition(" ")
        for name in names.lstrip("\n").split("\0"):
            if name and name not in touches:  # git log lists the newest first
                touches[name] = Touch(sha, int(when))
    return touches
