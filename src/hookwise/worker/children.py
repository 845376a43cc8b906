"""Starting the worker's niced children: ``python -m MODULE ARGS``, stderr into the log.

Learning, conflict checks, re-checks and sync each run in a child process
of the worker, so that their memory and their crashes stay out of it and a
``nice`` of their own keeps them behind capture and search. They start the
same way: no stdin or stdout, the repository's ``log`` for stderr (none
when the log cannot be opened: a child is never refused for it), no file
descriptor of the worker's (its socket among them).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


def start_module(
    hookwise_dir: Path, module: str, args: Sequence[str], *, new_session: bool = False
) -> subprocess.Popen[bytes]:
    """``python -m MODULE ARGS`` for the repository at ``hookwise_dir``.

    ``new_session``: the child leads a process group of its own, so that
    stopping it stops what it started (a checker and its own children).
    """
    with contextlib.ExitStack() as stack:
        log = None
        with contextlib.suppress(OSError):
            log = stack.enter_context((hookwise_dir / "log").open("ab"))
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL,
            close_fds=True,
            start_new_session=new_session,
        )
