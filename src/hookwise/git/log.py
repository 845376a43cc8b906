"""Commits with diff stats, read through ``git log --numstat``.

git's own diff machinery is several times faster than walking diffs through
libgit2 from Python (measured on pytest's history: ~3,900 commits/s for
``git log --numstat`` against ~560 commits/s for ``pygit2`` diff stats), so
hookwise streams ``git log`` and parses its output. Large ranges are split
into one ``git log`` per core.

Merge commits carry no diff stats of their own, as in ``git log --numstat``:
the changes they bring in are counted on the commits they merge.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, timedelta, timezone
from pathlib import Path

from hookwise.errors import GitError
from hookwise.git.runner import run_git
from hookwise.records import CommitRecord

FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%ad%x1f%cn%x1f%ce%x1f%cd%x1f%B"
LOG_ARGS = (
    "-c",
    "core.quotepath=off",
    "-c",
    "log.showSignature=false",
    "log",
    "--numstat",
    "-z",
    "--no-renames",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--date=raw",
    "--encoding=UTF-8",
    f"--format={FORMAT}",
)
# Below this many commits one git process is faster than starting several.
PARALLEL_THRESHOLD = 2000


def tz_minutes(raw: str) -> int:
    """Git's ``+0530``/``-0800`` as minutes east of UTC (ValueError when malformed)."""
    sign = -1 if raw.startswith("-") else 1
    digits = raw.lstrip("+-")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4]))


#: No ``datetime`` zone reaches a day from UTC.
_DAY_MINUTES = 24 * 60


def zone(minutes: int) -> timezone:
    """The time zone ``minutes`` east of UTC, or UTC for an offset no zone can be.

    git keeps any offset as written: requests' history has a commit at
    ``+51800``, and ``timezone`` refuses a day or more. The instant stays
    right; it is shown in UTC.
    """
    if not -_DAY_MINUTES < minutes < _DAY_MINUTES:
        return UTC
    return timezone(timedelta(minutes=minutes))


def _raw_date(raw: str) -> tuple[int, int]:
    stamp, _, tz = raw.partition(" ")
    return int(stamp), tz_minutes(tz or "+0000")


def parse_log(data: bytes) -> Iterator[CommitRecord]:
    """Parse the output of ``git log`` run with ``LOG_ARGS``."""
    for chunk in data.split(b"\x1e"):
        if not chunk:
            continue
        head, _, stats = chunk.partition(b"\0")
        fields = head.decode("utf-8", errors="replace").split("\x1f", 8)
        if len(fields) != 9:
            raise GitError("unexpected git log output; is this a git version older than 2.31?")
        sha, parents, an, ae, ad, cn, ce, cd, message = fields
        author_time, author_tz = _raw_date(ad)
        committer_time, committer_tz = _raw_date(cd)
        subject, _, body = message.partition("\n")
        insertions = deletions = 0
        paths: list[str] = []
        for entry in stats.lstrip(b"\n").split(b"\0"):
            if not entry:
                continue
            ins, dels, path = entry.split(b"\t", 2)
            if ins != b"-":  # binary files count as changed, with no lines
                insertions += int(ins)
                deletions += int(dels)
            paths.append(path.decode("utf-8", errors="surrogateescape"))
        parent_list = tuple(parents.split()) if parents else ()
        yield CommitRecord(
            sha=sha,
            parents=parent_list,
            author_name=an,
            author_email=ae,
            author_time=author_time,
            author_tz=author_tz,
            committer_name=cn,
            committer_email=ce,
            committer_time=committer_time,
            committer_tz=committer_tz,
            subject=subject.strip(),
            body=body.strip("\n"),
            files_changed=len(paths),
            insertions=insertions,
            deletions=deletions,
            paths=tuple(paths),
        )


def _run_log(repo: Path, extra: Sequence[str], stdin: bytes | None) -> bytes:
    return run_git([*LOG_ARGS, *extra], cwd=repo, input=stdin, what="git log")


def rev_list(
    repo: Path, include: Iterable[str], exclude: Iterable[str] = ()
) -> list[tuple[str, tuple[str, ...]]]:
    """(sha, parents) of commits reachable from ``include`` but not ``exclude``, newest first."""
    revs = list(include) + [f"^{sha}" for sha in exclude]
    if not revs:
        return []
    listed = run_git(
        ["rev-list", "--parents", "--stdin"], cwd=repo, input="\n".join(revs).encode() + b"\n"
    )
    out: list[tuple[str, tuple[str, ...]]] = []
    for line in listed.decode().splitlines():
        sha, *parents = line.split()
        out.append((sha, tuple(parents)))
    return out


def _chunks(shas: Sequence[str], jobs: int, chunk_size: int | None) -> list[Sequence[str]]:
    if len(shas) < PARALLEL_THRESHOLD and chunk_size is None:
        return [shas]
    size = chunk_size or max(PARALLEL_THRESHOLD // 2, -(-len(shas) // (jobs * 4)))
    return [shas[i : i + size] for i in range(0, len(shas), size)]


def stream_commits(
    repo: Path,
    shas: Sequence[str],
    *,
    jobs: int | None = None,
    chunk_size: int | None = None,
) -> Iterator[list[CommitRecord]]:
    """The given commits with their diff stats, a contiguous chunk at a time, in order.

    One ``git log`` per core reads a chunk each; at most ``jobs`` chunks
    are read ahead of the consumer, so memory holds a few chunks, never the
    whole history (git.git's 82k commits held at once peaked at 1.08 GB).
    """
    if not shas:
        return
    jobs = jobs or os.cpu_count() or 1

    def run(chunk: Sequence[str]) -> list[CommitRecord]:
        out = _run_log(repo, ["--no-walk=unsorted", "--stdin"], ("\n".join(chunk) + "\n").encode())
        return list(parse_log(out))

    chunks = _chunks(shas, jobs, chunk_size)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        ahead: deque[Future[list[CommitRecord]]] = deque()
        for chunk in chunks:
            ahead.append(pool.submit(run, chunk))
            if len(ahead) > jobs:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def read_commits(
    repo: Path,
    shas: Sequence[str],
    *,
    jobs: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[CommitRecord]:
    """Read the given commits (any order) with their diff stats.

    Large ranges are cut into contiguous chunks read by one ``git log`` per
    core at a time; ``on_progress`` is called with the size of each chunk read.
    """
    commits: list[CommitRecord] = []
    for records in stream_commits(repo, shas, jobs=jobs):
        commits.extend(records)
        if on_progress is not None:
            on_progress(len(records))
    return commits


def subjects(repo: Path, shas: Sequence[str]) -> dict[str, str]:
    """sha -> subject of the given commits, without diffs (git.git's 21k merges: ~0.3 s)."""
    if not shas:
        return {}
    out = run_git(
        ["log", "--no-walk=unsorted", "--stdin", "--encoding=UTF-8", "--format=%H%x1f%s"],
        cwd=repo,
        input=("\n".join(shas) + "\n").encode(),
        what="git log",
    )
    found: dict[str, str] = {}
    for line in out.decode("utf-8", errors="replace").splitlines():
        sha, _, subject = line.partition("\x1f")
        found[sha] = subject.strip()
    return found
