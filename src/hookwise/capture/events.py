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

A value runs to the end of its line. ``end`` is written last: a file without
it is still being written (or was cut short by a crash) and is left alone
until it is old enough to be called corrupt. The file name is the event's
stable id, so ingesting a file twice stores it once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hookwise.capture.spool import FORMAT_VERSION as FORMAT_VERSION
from hookwise.capture.spool import HOOKS as HOOKS
from hookwise.capture.spool import render as render
from hookwise.capture.spool import write as write
from hookwise.errors import IncompleteEventError, SpoolError

NULL_SHA = "0" * 40


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


def list_spool(spool_dir: Path) -> list[SpoolFile]:
    """Spooled event files, oldest first (hidden files are being written)."""
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
        files.append(SpoolFile(Path(entry.path), st.st_mtime_ns))
    files.sort(key=lambda f: (f.time_ns, f.path.name))
    return files
