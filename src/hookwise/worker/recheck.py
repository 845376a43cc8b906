"""Checks run again after a commit, so a fix is seen when it is committed, not a run later.

Fix detection (``hookwise.fixes.detect``) compares a check run with the
ones before it. A finding fixed by a commit is seen at the next check run;
with checks in the pre-commit hook that is the next commit, and a fix
committed last in the day waits for tomorrow. So when HEAD moves forward
the worker looks at the repository's configured checks (``[tool.hookwise]``
or ``.hookwise.toml``): a check whose latest run had open findings in files
the new commits touched is run again, as configured, from the worktree's
top, and its run goes through the spool like any other, where detection
judges it.

- Only configured checks: they are the commands the repository asked
  hookwise to run at every commit. A command given once on the command
  line (``hookwise check -- pytest``) is never run by the worker.
- Only forward: HEAD must descend from the run's HEAD. A branch switch,
  a rebase or a reset moves HEAD without fixing anything.
- Never on anyone's path: the checks run in a child process of their
  own, niced, its output discarded, at most ``TIMEOUT_SECONDS`` each, one
  child per repository at a time; the worker goes on serving meanwhile.
- ``recheck = false`` in the configuration turns it off.

The HEAD last looked at is kept in ``<store>/recheck.json``, so a worker
that restarts does not run the same checks again.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hookwise.capture.hooklog import log_error
from hookwise.capture.jsonfile import read_object, write_object
from hookwise.errors import HookwiseError
from hookwise.worker.children import start_module

if TYPE_CHECKING:
    from hookwise.checks.config import ConfiguredCheck
    from hookwise.store.db import Store

STATE_FILE = "recheck.json"
#: How long one re-run check may take before the child stops it (a test
#: suite configured as a check can take minutes; a hung one must not stay).
TIMEOUT_SECONDS = 600.0
#: The child's niceness: it shares the cores with the developer's own work.
NICENESS = 10
USAGE = "usage: python -m hookwise.worker.recheck WORKTREE CHECKS_JSON"


@dataclass(frozen=True)
class Due:
    """A configured check to run again, and why."""

    check: ConfiguredCheck
    paths: tuple[str, ...]  # files of its open findings that the new commits touched


class Rechecker:
    """The worker's idle task: run configured checks again when HEAD moved forward."""

    def __init__(self) -> None:
        self.children: dict[Path, subprocess.Popen[bytes]] = {}

    def when_idle(self, worker: object, store: Store) -> bool:
        """Start a child for ``store``'s due checks; True when one was started."""
        paths = store.paths
        child = self.children.get(paths.hookwise_dir)
        if child is not None:
            if child.poll() is None:
                return False  # one at a time; HEAD is looked at again when it ends
            del self.children[paths.hookwise_dir]  # ended: reaped, no zombie left
        worktree = paths.worktree
        if worktree is None:
            return False
        head = _head(worktree)
        state_path = paths.store_dir / STATE_FILE
        if head is None or read_object(state_path).get("head") == head:
            return False  # ~0.2 ms: one small file read, and git's HEAD
        try:
            due = due_checks(store, worktree, head)
        except HookwiseError as exc:
            log_error(paths.hookwise_dir, f"worker: re-checking after a commit: {exc}")
            due = []
        with contextlib.suppress(OSError):
            write_object(state_path, {"head": head})
        if not due:
            return False
        self.children[paths.hookwise_dir] = start_child(paths.hookwise_dir, worktree, due)
        return True


def due_checks(store: Store, worktree: Path, head: str) -> list[Due]:
    """The configured checks whose latest run had open findings in files changed up to ``head``."""
    from hookwise.checks.config import load_checks
    from hookwise.git.blobs import last_touches
    from hookwise.store.fixes import check_runs, findings_of

    config = load_checks(worktree)
    if not config.recheck or not config.checks:
        return []
    runs = check_runs(store)
    due = []
    for configured in config.checks:
        latest = next((r for r in runs if tuple(r["command"]) == configured.command), None)
        if latest is None or latest["head"] is None or latest["head"] == head:
            continue
        if not latest["finding_count"] or not _descends(worktree, latest["head"], head):
            continue
        open_paths = {f["path"] for f in findings_of(store, latest["id"]) if f["path"]}
        touched = last_touches(worktree, latest["head"], head, open_paths)
        if touched:
            due.append(Due(configured, tuple(sorted(touched))))
    return due


def _descends(worktree: Path, old: str, new: str) -> bool:
    from hookwise.git.runner import complete_git

    proc = complete_git(["merge-base", "--is-ancestor", old, new], cwd=worktree)
    return proc.returncode == 0


def _head(worktree: Path) -> str | None:
    """The worktree's HEAD commit, read from git's files (None before the first commit)."""
    from hookwise.checks.locate import locate
    from hookwise.errors import NotARepositoryError

    try:
        return locate(worktree).head
    except (NotARepositoryError, OSError):
        return None


def start_child(hookwise_dir: Path, worktree: Path, due: list[Due]) -> subprocess.Popen[bytes]:
    """``python -m hookwise.worker.recheck WORKTREE CHECKS``, its stderr into the log."""
    checks = [{"command": list(d.check.command), "format": d.check.format} for d in due]
    return start_module(
        hookwise_dir, __name__, [str(worktree), json.dumps(checks)], new_session=True
    )


def main(argv: list[str] | None = None) -> int:
    """Run each check as ``hookwise check`` would, spooling its run; 0 done, 2 usage.

    The child leads a process group of its own (``start_new_session``), so
    a check over its time is stopped with whatever it started.
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        worktree, checks = args[0], json.loads(args[1])
    except (IndexError, ValueError):
        print(USAGE, file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    import signal

    from hookwise.checks.run import check

    signal.signal(signal.SIGALRM, lambda *_: os.killpg(0, signal.SIGKILL))
    sink = open(os.devnull, "wb")  # noqa: SIM115 (open while the process lives)
    for entry in checks:
        signal.alarm(int(entry.get("timeout", TIMEOUT_SECONDS)))
        try:
            result = check(
                entry["command"],
                cwd=worktree,
                stdout=sink,
                stderr=sink,
                format_name=entry.get("format"),
            )
        except HookwiseError as exc:  # not installed any more, a format gone
            print(f"hookwise worker: re-checking {entry['command'][0]}: {exc}", file=sys.stderr)
            continue
        finally:
            signal.alarm(0)
        if result.problem is not None:
            print(
                f"hookwise worker: re-checking {entry['command'][0]}: {result.problem}",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
