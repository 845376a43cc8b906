"""Writing one spool event: its text and its file. ``os`` only.

The one implementation of the event format's writing side, shared by the
pre-commit capture entry (whose warm path may import nothing heavier than
``os``: ``dataclasses`` and ``pathlib`` alone cost 25-30 ms of its 40 ms
budget) and ``hookwise.capture.events``, which adds the parser, the
``Event`` record and the spool listing the worker needs. The native shim
(``hooks/shim.sh``) writes the same bytes with ``printf``; the format is
described in ``hookwise.capture.events``.
"""

# os.path, not pathlib, on the hot path.
# ruff: noqa: PTH103, PTH104, PTH108, PTH118

from __future__ import annotations

import os

# typing and collections.abc are not loaded at start-up; the annotations need
# them only for mypy (``from __future__ import annotations`` keeps them unevaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

FORMAT_VERSION = "1"
HOOKS = ("post-commit", "post-merge", "post-checkout", "post-rewrite")
# A hook names its file <hook>-<head>-<pid>; two events under one name need
# the same pid, so a handful of suffixes is plenty.
MAX_NAME_ATTEMPTS = 100


def render(
    hook: str,
    args: Sequence[str] = (),
    *,
    git_dir: str = "",
    head: str = "",
    ref: str = "",
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    reflog: str = "",
) -> str:
    """The text of an event file, exactly as the native hook writes it."""
    out = [f"hookwise {FORMAT_VERSION}", f"hook {hook}"]
    out += [f"arg {a}" for a in args]
    if git_dir:
        out.append(f"git-dir {git_dir}")
    if head:
        out.append(f"head {head}")
    if ref:
        out.append(f"ref {ref}")
    out += [f"env {name}={value}" for name, value in (env or {}).items()]
    if reflog:
        out.append(f"reflog {reflog}")
    if stdin:
        out.append("stdin")
        out += stdin.rstrip("\n").split("\n")
    out.append("end")
    return "\n".join(out) + "\n"


def write(spool_dir: str | os.PathLike[str], name: str, text: str) -> str:
    """Write a new event file, never overwriting another event; its path.

    The text goes to a hidden file first (the worker skips names starting
    with '.') and is then hard-linked under its final name, which fails
    rather than replace an event already there: the worker never sees an
    event half written, and two events never share a name (the next suffix
    is tried). Where the file system has no hard links, a rename into a name
    found free does the same, as the native shim's ``mv`` does.

    Raises ``OSError``; ``FileExistsError`` when every name it tried is taken.
    """
    spool = os.fspath(spool_dir)
    os.makedirs(spool, exist_ok=True)
    tmp = os.path.join(spool, f".event-{name}-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            data = text.encode("utf-8", "surrogateescape")
            while data:
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
        for attempt in range(MAX_NAME_ATTEMPTS):
            path = os.path.join(spool, name if attempt == 0 else f"{name}.{attempt}")
            if _place(tmp, path):
                return path
    finally:
        # Gone once renamed; after a link (or a failure) the hidden name goes.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    raise FileExistsError(f"cannot create a spool file named {name} in {spool}")


def _place(tmp: str, path: str) -> bool:
    """Give ``tmp``'s file the name ``path`` unless that is taken; False when it is."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:
        # No hard links here (some network and FUSE file systems).
        if os.path.lexists(path):
            return False
        os.rename(tmp, path)
    return True
