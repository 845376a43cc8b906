"""Spooled hook events: the write-ahead log between a git hook and the store.

Standard library only. Writing an event (``render``, ``write``) lives in
``hookwise.capture.spool``, which the capture entry's warm path can afford;
this module adds what the worker needs to read one back.

One event is one small file in ``.git/hookwise/spool/``. The native POSIX-sh
hook writes it with ``printf`` (no Python on the commit's critical path), so
the format is line based rather than JSON::

    hookwise 1
    hook post-checkout
    arg 1f0c...
    arg 9ab3...
    arg 1
    git-dir /repo/.git
    head 9ab3...
    ref refs/heads/feature
    env GIT_REFLOG_ACTION=rebase (finish)
    reflog <the HEAD reflog line a checkout wrote>   (post-checkout only)
    stdin
    <old-sha> <new-sha>        (post-rewrite only: git's old→new pairs)
    end

A value runs to the end of its line. ``end`` is written last, and the
writers (the shim and ``hookwise.capture.spool``) write under a hidden name
and rename the file into place, so the worker never sees an event half
written; a file without ``end`` was cut short by a crash (or written by an
older hook) and is left alone until it is old enough to be called corrupt.
The file name is the event's stable id, so ingesting a file twice stores it
once.

An event is at most ``MAX_EVENT_BYTES``: the largest real one is the
post-rewrite of a big rebase, one line of 82 bytes (two shas, a space and a
newline) per commit, so 1 MiB holds a rebase of 12,000 commits. Anything
larger is not an event hookwise wrote; it is set aside without being read
(a 205 MB file, read whole, took the worker 19 s and 2.5 GB).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hookwise.capture.spool import FORMAT_VERSION as FORMAT_VERSION
from hookwise.capture.spool import HOOKS as HOOKS
from hookwise.capture.spool import render as render
from hookwise.capture.spool import write as write
from hookwise.errors import IncompleteEventError, OversizedEventError, SpoolError

NULL_SHA = "0" * 40
MAX_EVENT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Event:
    """One hook invocation as spooled."""

    id: str
    hook: str
    time_ns: int
    args: tuple[str, ...] = ()
    git_dir: str = ""
    head: str = ""
    ref: str = ""
    env: dict[str, str] = field(default_factory=dict)
    stdin: tuple[str, ...] = ()
    reflog: str = ""


def parse(event_id: str, text: str, time_ns: int) -> Event:
    """Parse one spool file; raise SpoolError when it is not a complete event."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != f"hookwise {FORMAT_VERSION}":
        raise SpoolError(f"spool event {event_id}: not a hookwise {FORMAT_VERSION} event")
    if lines[-1] != "end":
        raise IncompleteEventError(f"spool event {event_id}: incomplete (no 'end' line)")
    hook = ""
    args: list[str] = []
    git_dir = head = ref = reflog = ""
    env: dict[str, str] = {}
    stdin: list[str] = []
    body = lines[1:-1]
    for i, line in enumerate(body):
        key, _, value = line.partition(" ")
        if key == "stdin":
            stdin = [s for s in body[i + 1 :] if s.strip()]
            break
        if key == "hook":
            hook = value
        elif key == "arg":
            args.append(value)
        elif key == "git-dir":
            git_dir = value
        elif key == "head":
            head = value
        elif key == "ref":
            ref = value
        elif key == "reflog":
            reflog = value
        elif key == "env":
            name, sep, val = value.partition("=")
            if sep:
                env[name] = val
        # unknown keys are ignored so that newer hooks can add fields
    if hook not in HOOKS:
        raise SpoolError(f"spool event {event_id}: unknown hook {hook!r}")
    return Event(
        id=event_id,
        hook=hook,
        time_ns=time_ns,
        args=tuple(args),
        git_dir=git_dir,
        head=head,
        ref=ref,
        env=env,
        stdin=tuple(stdin),
        reflog=reflog,
    )


@dataclass(frozen=True)
class SpoolFile:
    path: Path
    time_ns: int
    size: int = 0


def read(spooled: SpoolFile) -> Event:
    """Read and parse one spooled file, never more than ``MAX_EVENT_BYTES`` of it.

    Raises ``OversizedEventError`` (without reading a byte when the size
    listed says so), ``SpoolError`` when it is not a complete event, and
    ``OSError`` when the file cannot be read.
    """
    name = spooled.path.name
    if spooled.size > MAX_EVENT_BYTES:
        raise _oversized(name, spooled.size)
    with spooled.path.open("rb") as fh:
        data = fh.read(MAX_EVENT_BYTES + 1)
    if len(data) > MAX_EVENT_BYTES:  # it grew after it was listed
        raise _oversized(name, len(data))
    return parse(name, data.decode("utf-8", errors="surrogateescape"), spooled.time_ns)


def _oversized(name: str, size: int) -> OversizedEventError:
    return OversizedEventError(
        f"spool event {name}: {size:,} bytes or more, larger than the "
        f"{MAX_EVENT_BYTES:,} bytes an event can hold"
    )


def list_spool(spool_dir: Path) -> list[SpoolFile]:
    """Spooled event files, oldest first (hidden files are being written).

    No spool yet is an empty list; a spool that cannot be listed (a file in
    its place, no permission) raises ``OSError``: see ``unreadable_spool``.
    """
    files: list[SpoolFile] = []
    try:
        entries = list(os.scandir(spool_dir))
    except FileNotFoundError:
        return files
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file():
            continue
        try:
            st = entry.stat()
        except FileNotFoundError:
            continue
        files.append(SpoolFile(Path(entry.path), st.st_mtime_ns, st.st_size))
    files.sort(key=lambda f: (f.time_ns, f.path.name))
    return files


def unreadable_spool(spool_dir: Path, exc: OSError) -> str:
    """What is wrong with a spool ``list_spool`` could not list, and what to do."""
    if isinstance(exc, NotADirectoryError):
        return (
            f"the spool {spool_dir} is not a directory; move it aside "
            "(the next hook creates the directory again)"
        )
    return f"the spool {spool_dir} cannot be listed ({exc.strerror or exc}); fix its permissions"
