"""Branch switches from the HEAD reflog.

``git checkout``/``git switch`` write ``checkout: moving from A to B`` into
the reflog of HEAD (one reflog per worktree); A and B are branch names, or a
commit when HEAD was detached. A clone writes ``clone: from URL``, which is
not a switch. The reflog file is read directly: it is a plain text file of
``old new name <email> time tz<TAB>message`` lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hookwise.git.log import tz_minutes
from hookwise.records import RefEvent

MOVING = re.compile(r"^checkout: moving from (?P<from>.+) to (?P<to>.+)$")
HEX = re.compile(r"^[0-9a-f]{7,64}$")


@dataclass(frozen=True)
class ReflogEntry:
    old: str
    new: str
    time: int
    tz: int
    message: str
    raw: bytes


def parse_line(raw: bytes) -> ReflogEntry | None:
    head, sep, message = raw.rstrip(b"\n").partition(b"\t")
    parts = head.split(b" ")
    if len(parts) < 4:
        return None
    try:
        time = int(parts[-2])
        tz = tz_minutes(parts[-1].decode())
    except (ValueError, IndexError):
        return None
    return ReflogEntry(
        old=parts[0].decode(),
        new=parts[1].decode(),
        time=time,
        tz=tz,
        message=message.decode("utf-8", errors="replace") if sep else "",
        raw=raw,
    )


def read(path: Path, offset: int = 0) -> tuple[list[ReflogEntry], int]:
    """Entries from byte ``offset`` on, and the offset after the last whole line."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return [], 0
    end = data.rfind(b"\n") + 1
    entries = [e for e in map(parse_line, data[:end].splitlines(keepends=True)) if e]
    return entries, offset + end


def worktree_name(git_dir: Path, common_dir: Path) -> str:
    """ "" for the main worktree, else the linked worktree's name."""
    return "" if git_dir.resolve() == common_dir.resolve() else git_dir.name


def head_reflogs(common_dir: Path) -> Iterator[tuple[str, Path]]:
    """(worktree name, HEAD reflog path) for the main and every linked worktree."""
    yield "", common_dir / "logs" / "HEAD"
    worktrees = common_dir / "worktrees"
    if worktrees.is_dir():
        for wt in sorted(worktrees.iterdir()):
            yield wt.name, wt / "logs" / "HEAD"


def entry_id(worktree: str, entry: ReflogEntry) -> str:
    """A stable id: the same reflog line gives the same id live and on backfill."""
    return "reflog-" + hashlib.sha1(worktree.encode() + b"\0" + entry.raw).hexdigest()[:24]


def to_ref_event(
    worktree: str, entry: ReflogEntry, source: str, tags: frozenset[str] = frozenset()
) -> RefEvent | None:
    """The ref event a reflog line stands for, or None when it is not one we track.

    ``tags``: tag names, since checking out a tag detaches HEAD although the
    reflog names it like a branch.
    """
    if entry.message.startswith("clone: "):
        return RefEvent(
            id=entry_id(worktree, entry),
            time=entry.time,
            tz=entry.tz,
            kind="clone",
            to_sha=entry.new,
            worktree=worktree,
            source=source,
        )
    m = MOVING.match(entry.message)
    if m is None:
        return None
    to = m.group("to")
    if to == m.group("from"):
        return None  # checking out the branch you are on switches nothing
    detached = (bool(HEX.match(to)) and entry.new.startswith(to)) or to == "HEAD" or to in tags
    return RefEvent(
        id=entry_id(worktree, entry),
        time=entry.time,
        tz=entry.tz,
        kind="detach" if detached else "switch",
        from_ref=m.group("from"),
        to_ref=to,
        from_sha=entry.old,
        to_sha=entry.new,
        worktree=worktree,
        source=source,
    )
