"""What each commit changed, file by file, and the contents on either side.

Learning from history (``hookwise.fixes.learn``) runs a checker on every
file a commit modified, as it was before the commit and after it. Two git
processes answer all of that for a whole history:

- ``modified_files``: one ``git log --raw --no-renames`` stream lists, for
  every non-merge commit, each modified file with its old and new blob ids
  (pytest's 13,110 non-merge commits: 6.8 MB of output in 0.5 s). Files
  added or deleted are left out: a finding cannot be fixed in a file that
  did not exist before, and one that vanished with its file is no fix. A
  rename counts as a delete and an add (``--no-renames``), for the same
  reason.
- ``read_blobs``: one ``git cat-file --batch`` for any number of blobs, so
  a batch of hundreds of commits costs one process, not one per file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hookwise.errors import GitError
from hookwise.git.runner import complete_git, run_git

FORMAT = "%x1e%H%x1f%P%x1f%ct"
RAW_ARGS = (
    "-c",
    "core.quotepath=off",
    "log",
    "--raw",
    "-z",
    "--no-renames",
    "--no-merges",
    "--no-abbrev",
    "--no-color",
    "--reverse",
    f"--format={FORMAT}",
)
#: File modes of ordinary files; links and submodules hold no code to check.
FILE_MODES = frozenset({"100644", "100755"})


@dataclass(frozen=True)
class ModifiedFile:
    """One file a commit modified: its path and the blob ids before and after."""

    path: str
    old_blob: str
    new_blob: str


@dataclass(frozen=True)
class CommitChanges:
    """A non-merge commit, its parent (None for a root commit), committer time and changes."""

    sha: str
    parent: str | None
    time: int  # committer time, epoch seconds
    files: tuple[ModifiedFile, ...]


def modified_files(
    repo: Path, rev: str = "HEAD", *, suffixes: Iterable[str] | None = None
) -> list[CommitChanges]:
    """Every non-merge commit reachable from ``rev``, oldest first, with the files it modified.

    ``suffixes`` (``.py`` ...) keeps only files whose name ends so; the
    commit itself is listed either way, with no files, so a caller can tell
    "nothing to check" from "not seen".
    """
    ends = tuple(suffixes) if suffixes is not None else None
    if complete_git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=repo).returncode:
        return []  # no commit yet (or ``rev`` names none): nothing was ever changed
    out = run_git([*RAW_ARGS, rev, "--"], cwd=repo, what="git log")
    return list(parse_raw(out, ends))


def parse_raw(data: bytes, suffixes: tuple[str, ...] | None = None) -> Iterable[CommitChanges]:
    """Parse ``git log`` run with ``RAW_ARGS``."""
    for chunk in data.split(b"\x1e"):
        if not chunk:
            continue
        head, _, raw = chunk.partition(b"\0")
        fields = head.decode().split("\x1f")
        if len(fields) != 3:
            raise GitError("unexpected git log --raw output; is git older than 2.31?")
        sha, parents, stamp = fields
        files = []
        # Each entry is ":old_mode new_mode old new STATUS\0path\0".
        parts = raw.lstrip(b"\n").split(b"\0")
        for meta, name in zip(parts[0::2], parts[1::2], strict=False):
            old_mode, new_mode, old, new, status = meta.decode().lstrip(":").split(" ")
            path = name.decode("utf-8", errors="surrogateescape")
            if status != "M" or old_mode not in FILE_MODES or new_mode not in FILE_MODES:
                continue
            if suffixes is None or path.endswith(suffixes):
                files.append(ModifiedFile(path, old, new))
        parent = parents.split()[0] if parents else None
        yield CommitChanges(sha, parent, int(stamp), tuple(files))


def read_blobs(repo: Path, blob_ids: Sequence[str]) -> dict[str, bytes]:
    """The contents of ``blob_ids`` (each once), read by one ``git cat-file --batch``.

    A blob git does not have (a shallow or partial clone) is left out of the
    answer; the caller skips what it cannot read.
    """
    wanted = list(dict.fromkeys(blob_ids))
    if not wanted:
        return {}
    out = run_git(["cat-file", "--batch"], cwd=repo, input=("\n".join(wanted) + "\n").encode())
    blobs: dict[str, bytes] = {}
    at = 0
    for _ in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) != 3:  # "<id> missing"
            continue
        size = int(header[2])
        blobs[header[0].decode()] = out[at : at + size]
        at += size + 1  # the content is followed by a newline
    return blobs
