"""Storing the check runs ``hookwise check`` spooled (``hookwise.capture.checkrun``).

Each spooled run is stored on its own, run and findings in one call
(``store.fixes.add_check_run``), and its file is deleted only after the
store committed, so a worker killed at any point leaves the file to be
stored again. The run's id is the file's, and the store keeps a run (and a
finding, keyed on run and fingerprint) it already has as it is: a file
stored twice is stored once.

After a run is stored, ``after_check_run`` is called with it: the one place
where fix detection (``hookwise.fixes.detect``) hooks in, and then the
resolution of suggestions shown before (``hookwise.learning.pending``). It is called again
when a run is stored again after a crash, so what it does must be idempotent
(fix attempts have ids that are hashes of their fields); whatever it raises
is logged and the run stays stored.

A file that cannot be read as a check run is set aside in ``spool-corrupt/``
by the same rules as a hook event (``hookwise.worker.drain``): once it is old
enough not to be one still being written, or at once when it is too large.

What a check showed (``check-shown-<run id>``, spooled after its run) is
stored as pending outcomes in the same pass, in spool order, so it is in
the store before the next run of the check is resolved against it.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from hookwise.capture import checkrun
from hookwise.capture.events import list_spool
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import RepoPaths
from hookwise.errors import OversizedEventError, SpoolError, StoreLockedError, UsageError
from hookwise.store.db import Store
from hookwise.store.fixes import (
    CHECK_RUN_COLUMNS,
    FINDING_COLUMNS,
    CheckRunRow,
    FindingRow,
    add_check_run,
)


def after_check_run(
    store: Store,
    paths: RepoPaths,
    run: CheckRunRow,
    findings: list[FindingRow],
    *,
    folder: str = "",
) -> int:
    """Fix detection, once a check run and its findings are stored, then the suggestions
    shown before it that the run settles: rows recorded.

    ``folder``: where in the worktree the checker ran (empty: its top).
    """
    from hookwise.fixes.detect import detect_fixes
    from hookwise.learning.pending import resolve_pending

    detected = detect_fixes(store, paths, run, findings, folder=folder)
    return detected + resolve_pending(store, paths, run, findings)


def store_shown(store: Store, path: Path) -> None:
    """Store what a check showed (a ``check-shown-`` spool file) as pending outcomes."""
    from hookwise.learning.pending import store_shown as store_pending

    run_id, when, shown = checkrun.read_shown(path)
    store_pending(store, run_id, when, shown)


def _with_worktree(paths: RepoPaths, worktree: str | None) -> RepoPaths:
    """The store's paths with the worktree the run checked, when it is still there.

    The worker knows a store only by its common directory; the check run
    names its worktree, without which fixes not yet committed go unseen.
    """
    if worktree is None or not Path(worktree).is_dir():
        return paths
    return replace(paths, worktree=Path(worktree))


def store_check_runs(
    store: Store, *, lock_timeout: float, grace_seconds: float
) -> tuple[int, list[str]]:
    """Store every complete spooled check run; how many, and the files set aside.

    ``grace_seconds``: how old a file that cannot be read must be before it
    is set aside (a younger one may still be being written).
    """
    from hookwise.worker.drain import quarantine

    paths = store.paths
    stored = 0
    corrupt: list[str] = []
    now_ns = time.time_ns()
    for spooled in list_spool(paths.spool_dir):
        if not checkrun.is_check_run(spooled.path.name):
            continue
        if checkrun.is_shown(spooled.path.name):
            if _store_shown_isolating(store, spooled.path, now_ns - spooled.time_ns, grace_seconds):
                corrupt.append(spooled.path.name)
            continue
        try:
            run, found, worktree, folder = checkrun.read(spooled.path, spooled.size)
            run_row, finding_rows = _rows(run, found)
        except FileNotFoundError:
            continue  # stored by another process since it was listed
        except (SpoolError, OSError) as exc:
            young = (now_ns - spooled.time_ns) / 1e9 < grace_seconds
            if young and not isinstance(exc, OversizedEventError):
                continue
            quarantine(paths, spooled.path, str(exc))
            corrupt.append(spooled.path.name)
            continue
        add_check_run(store, run_row, finding_rows, lock_timeout=lock_timeout)
        try:
            after_check_run(
                store, _with_worktree(paths, worktree), run_row, finding_rows, folder=folder
            )
        except Exception as exc:  # detection is best-effort; the run is stored
            log_error(
                paths.hookwise_dir,
                f"worker: fix detection after check run {run_row['id']} failed: "
                f"{type(exc).__name__}: {exc}",
            )
        with contextlib.suppress(FileNotFoundError):
            spooled.path.unlink()
        stored += 1
    return stored, corrupt


def _store_shown_isolating(store: Store, path: Path, age_ns: int, grace_seconds: float) -> bool:
    """``store_shown``, its file deleted once stored; whether it was set aside.

    A file hookwise cannot read as one is set aside at once: it is linked
    into place whole, so it is never one still being written. So is one
    that fails in any other way but a locked store: left in place, it would
    stop every check run spooled after it.
    """
    from hookwise.worker.drain import quarantine

    try:
        store_shown(store, path)
    except FileNotFoundError:
        return False  # stored by another process since it was listed
    except StoreLockedError:
        return False  # a writer holds the store; next round
    except Exception as exc:
        if isinstance(exc, OSError) and age_ns / 1e9 < grace_seconds:
            return False
        if isinstance(exc, SpoolError):  # its message names the file
            reason = str(exc)
        else:
            what = str(exc) if isinstance(exc, UsageError) else f"{type(exc).__name__}: {exc}"
            reason = f"spool {path.name}: {what}"
        quarantine(store.paths, path, reason)
        return True
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return False


def _rows(
    run: dict[str, Any], findings: list[dict[str, Any]]
) -> tuple[CheckRunRow, list[FindingRow]]:
    """The file's run and findings as the store's rows; ``SpoolError`` when a column is
    missing or unknown (a file hookwise did not write), so it is set aside, not retried."""
    if set(run) != set(CHECK_RUN_COLUMNS):
        raise SpoolError(f"check run {run.get('id')}: its columns are not a check run's")
    if any(set(row) != set(FINDING_COLUMNS) or row["run_id"] != run["id"] for row in findings):
        raise SpoolError(f"check run {run['id']}: a finding's columns are not a finding's")
    return cast("CheckRunRow", run), cast("list[FindingRow]", findings)
