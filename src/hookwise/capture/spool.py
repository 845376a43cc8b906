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
# ruff: noqa: PTH103, PTH118

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
    """Create a new event file exclusively (never overwriting another event); its path.

    Raises ``OSError``; ``FileExistsError`` when every name it tried is taken.
    """
    os.makedirs(spool_dir, exist_ok=True)
    for attempt in range(MAX_NAME_ATTEMPTS):
        path = os.path.join(spool_dir, name if attempt == 0 else f"{name}.{attempt}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path
    raise FileExistsError(f"cannot create a spool file named {name} in {os.fspath(spool_dir)}")
