"""Learning from history in the worker: asked for by a request file, run in a niced child.

``hookwise init --learn`` and ``hookwise fix learn --background`` leave a
request (``.git/hookwise/learn-request.json``, the options as JSON) and
wake the worker; a request file rather than a socket operation, because
it outlives a worker that is not running yet or stops meanwhile, and the
next worker finds it. When the repository's spool is empty, the idle task
``Learner.when_idle`` starts ``python -m hookwise.worker.learning DIR``,
which runs ``hookwise.fixes.learn`` niced, in a process of its own: the
whole of pytest's history keeps 2 cores busy for minutes, and searches and
ingest must not wait behind it (as the search index build, which runs in a
child for the same reason). The child removes the request when it is done.

The child lives on its own: a worker that stops while it runs leaves it
running, and learning is resumable anyway. A request that another learning
run blocks (``hookwise fix learn`` in a terminal) stays and is tried again
after ``RETRY_SECONDS``; one that fails for a reason a retry cannot mend
(no checker installed) is logged in the repository's log and removed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.errors import HookwiseError, StoreLockedError
from hookwise.fixes.learn import NICENESS, finish_request, learn, pending_request
from hookwise.worker.children import start_module

if TYPE_CHECKING:
    from hookwise.store.db import Store

#: How long after a child was started another may start for the same store:
#: a request blocked by a foreground run is retried this often, not every poll.
RETRY_SECONDS = 30.0
USAGE = "usage: python -m hookwise.worker.learning STORE_DIR  (a .git/hookwise directory)"


class Learner:
    """The worker's idle task for learning; one child per repository at a time."""

    def __init__(self) -> None:
        self.children: dict[Path, subprocess.Popen[bytes]] = {}
        self.started: dict[Path, float] = {}

    def when_idle(self, worker: object, store: Store) -> bool:
        """Start learning for ``store``'s repository if it was asked for; True when started."""
        hookwise_dir = store.paths.hookwise_dir
        child = self.children.get(hookwise_dir)
        if child is not None:
            if child.poll() is None:
                return False
            del self.children[hookwise_dir]  # ended: reaped, no zombie left
        if pending_request(store.paths) is None:
            return False
        last = self.started.get(hookwise_dir)
        if last is not None and time.monotonic() - last < RETRY_SECONDS:
            return False
        self.started[hookwise_dir] = time.monotonic()
        self.children[hookwise_dir] = start_child(hookwise_dir)
        return True


def start_child(hookwise_dir: Path, module: str = __name__) -> subprocess.Popen[bytes]:
    """``python -m MODULE DIR`` (this one by default), its stderr into the repository's log."""
    return start_module(hookwise_dir, module, [str(hookwise_dir)])


def main(argv: list[str] | None = None) -> int:
    """Serve the repository's request: 0 done (or nothing asked, or blocked), 1 failed, 2 usage."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    hookwise_dir = Path(args[0])
    paths = RepoPaths.for_hookwise_dir(hookwise_dir)
    asked = pending_request(paths)
    if asked is None:
        return 0
    options, raw = asked
    try:
        learn(paths, options)
    except StoreLockedError:
        return 0  # another learning run holds the repository: the request waits
    except HookwiseError as exc:
        log_error(hookwise_dir, f"worker: learning from history failed: {exc}")
        finish_request(paths, raw)
        return 1
    finish_request(paths, raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
