"""Leaving the caller: the one daemonising routine of the worker.

A hook that finds no worker runs ``python -m hookwise worker --detach`` and
waits for that process to exit, so the process must exit at once and leave
a child behind that lives on its own. ``hookwise.__main__`` detaches before
it imports the CLI (importing click and the worker's modules takes a second
or more, which the hook would otherwise wait for); ``run_worker`` detaches
when it was reached another way (the ``hookwise`` console script). Both call
``detach``, which does the work once per process.

This module is imported before anything else on that path: it imports the
standard library's ``os`` only.
"""

from __future__ import annotations

import os

# The pid of the process that ``detach`` left running, so a second call in the
# same process is a no-op; a process forked after it has another pid and
# detaches afresh.
_detached_pid: int | None = None


def detach() -> bool:
    """Fork; the caller's process exits at once, the child leads a new session.

    The child leaves the hook's process group and session (a terminal's
    Ctrl-C or hang-up no longer reaches it) and reads stdin from and writes
    stdout to ``/dev/null``; stderr stays, as the hook that started it points
    it at the store's log. False where ``os.fork`` does not exist, and then
    nothing changed; True in the child, also when this process had already
    detached.
    """
    global _detached_pid
    if _detached_pid == os.getpid():
        return True
    if not hasattr(os, "fork"):
        return False
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    if devnull > 1:  # else it is itself stdin or stdout now
        os.close(devnull)
    _detached_pid = os.getpid()
    return True
