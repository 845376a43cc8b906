"""A check run in the spool: how ``hookwise check`` hands its run to the worker.

Standard library only. ``hookwise check`` must not open the store (``import
lancedb`` alone costs ~1.6 s), so it writes the run and its findings to the
repository's spool, the same write-ahead log the capture hooks write to
(DESIGN §2), and the worker stores them (``hookwise.worker.checkruns``). A
check run is durable the moment ``write`` returns.

One run is one file, ``check-run-<run id>``, of JSON lines::

    {"hookwise": "check-run 1", "run": {...the check_runs row...}, "findings": N,
     "worktree": "/the/worktree/checked"}
    {...the findings row of finding 1...}
    ...
    {"end": N}

It is written under a hidden name and linked into place, as every spool
event is (``hookwise.capture.spool.write``), so the worker never sees one
half written; the last line, which repeats the count, tells a complete file
from a cut one all the same. The run's id is the file's, so ingesting a
file twice stores the run once.

A check run is not a hook event: a mypy run over a large untyped code base
reports tens of thousands of findings, at about 500 bytes each as a JSON
line (a snippet holds up to 5 source lines), far beyond the 1 MiB an event
may hold (``hookwise.capture.events.MAX_EVENT_BYTES``). So a check run has a
bound of its own, ``MAX_CHECK_RUN_BYTES`` (32 MiB: some 60,000 findings);
``render`` keeps the findings that fit, in the checker's order, and says how
many it left out. The worker refuses a larger file unread, as it does an
oversized event.
"""

from __future__ import annotations

import json
import os

from hookwise.capture.spool import write as write_file
from hookwise.errors import IncompleteEventError, OversizedEventError, SpoolError

# typing is not needed at run time (``from __future__ import annotations``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

PREFIX = "check-run-"
HEADER = "check-run 1"
MAX_CHECK_RUN_BYTES = 32 * 1024 * 1024
#: What a check showed under its findings: one JSON object in a file of its
#: own, written after the suggestions are printed (the run's file is spooled
#: before the worker is even asked), stored by the worker as pending
#: outcomes (``hookwise.learning.pending``).
SHOWN_PREFIX = "check-shown-"
SHOWN_HEADER = "check-shown 1"


def is_check_run(name: str) -> bool:
    """Whether the spool file ``name`` is the worker's check-run work (else it is a hook
    event): a check run, or what a check showed."""
    return name.startswith((PREFIX, SHOWN_PREFIX))


def is_shown(name: str) -> bool:
    """Whether the spool file ``name`` holds what a check showed."""
    return name.startswith(SHOWN_PREFIX)


def write_shown(
    spool_dir: str | os.PathLike[str], run_id: str, when: int, shown: Sequence[Mapping[str, Any]]
) -> str:
    """Spool what the check of run ``run_id`` (started at ``when``, epoch seconds) showed:
    per finding, ``{"finding": {...the findings row's fields...}, "arm": str|null,
    "strategies": [{"strategy", "kind"}]}``.

    Raises ``OSError`` when the spool cannot be written.
    """
    shape = {"hookwise": SHOWN_HEADER, "run_id": run_id, "time": when, "shown": list(shown)}
    text = _line(shape)
    return write_file(spool_dir, f"{SHOWN_PREFIX}{run_id}", text)


def read_shown(path: str | os.PathLike[str]) -> tuple[str, int, list[dict[str, Any]]]:
    """The run id, its time and what its check showed, from one spooled file.

    The file is linked into place whole, so it is never half written; one
    hookwise did not write raises ``SpoolError``, one too large
    ``OversizedEventError``.
    """
    name = os.path.basename(path)  # noqa: PTH119
    with open(path, "rb") as fh:
        data = fh.read(MAX_CHECK_RUN_BYTES + 1)
    if len(data) > MAX_CHECK_RUN_BYTES:
        raise _oversized(name, len(data))
    try:
        shape = json.loads(data.decode("utf-8", errors="replace"))
    except ValueError as exc:
        raise SpoolError(f"spool {name}: not JSON ({exc})") from None
    if not isinstance(shape, dict) or shape.get("hookwise") != SHOWN_HEADER:
        raise SpoolError(f"spool {name}: not a hookwise {SHOWN_HEADER} file")
    run_id, when, shown = shape.get("run_id"), shape.get("time"), shape.get("shown")
    if not isinstance(run_id, str) or not isinstance(when, int) or not isinstance(shown, list):
        raise SpoolError(f"spool {name}: no run id or time, or what was shown is not a list")
    if not all(isinstance(item, dict) for item in shown):
        raise SpoolError(f"spool {name}: a shown finding is not a JSON object")
    return run_id, when, shown


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def render(
    run: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    *,
    limit: int = MAX_CHECK_RUN_BYTES,
    worktree: str | None = None,
    folder: str = "",
) -> tuple[str, int]:
    """The file's text, and how many of ``findings`` it holds (those within ``limit`` bytes).

    ``run["finding_count"]`` is set to the number kept, so the stored run
    and its stored findings agree.
    """
    lines: list[str] = []
    size = 200  # the header's and the end line's share, with room for the run's id
    size += len(_line(run).encode())
    for finding in findings:
        line = _line(finding)
        size += len(line.encode())
        if size > limit:
            break
        lines.append(line)
    kept = len(lines)
    header = {
        "hookwise": HEADER,
        "run": {**run, "finding_count": kept},
        "findings": kept,
        "worktree": worktree,
        "folder": folder,
    }
    return _line(header) + "".join(lines) + _line({"end": kept}), kept


def write(
    spool_dir: str | os.PathLike[str],
    run: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    *,
    worktree: str | None = None,
    folder: str = "",
) -> tuple[str, int]:
    """Spool one check run; the file's path and how many findings it holds.

    ``folder`` is where in the worktree the checker ran (POSIX, relative to
    its top; empty at the top): the targets of its command are relative to it.

    Raises ``OSError`` when the spool cannot be written.
    """
    text, kept = render(run, findings, worktree=worktree, folder=folder)
    return write_file(spool_dir, f"{PREFIX}{run['id']}", text), kept


def read(
    path: str | os.PathLike[str], size: int = 0
) -> tuple[dict[str, Any], list[dict[str, Any]], str | None, str]:
    """The run, its findings, the worktree it checked and the folder it ran in.

    Neither the worktree nor the folder is a column of ``check_runs``: the
    worker needs the worktree only to see fixes that are not committed yet,
    and the folder to know what a command run below the top looked at
    (``hookwise.fixes.detect``). A file written before the folder was kept
    says the top.

    Raises ``OversizedEventError`` (unread when ``size`` already says so),
    ``IncompleteEventError`` for a file cut short, ``SpoolError`` for one
    that is not a check run, and ``OSError`` when it cannot be read.
    """
    name = os.path.basename(path)  # noqa: PTH119 (os only, like the rest of the spool)
    if size > MAX_CHECK_RUN_BYTES:
        raise _oversized(name, size)
    with open(path, "rb") as fh:
        data = fh.read(MAX_CHECK_RUN_BYTES + 1)
    if len(data) > MAX_CHECK_RUN_BYTES:
        raise _oversized(name, len(data))
    lines = data.decode("utf-8", errors="replace").splitlines()
    try:
        header = json.loads(lines[0]) if lines else None
        end = json.loads(lines[-1]) if len(lines) > 1 else None
        rows = [json.loads(line) for line in lines[1:-1]]
    except ValueError as exc:
        raise SpoolError(f"spool check run {name}: not JSON lines ({exc})") from None
    if not isinstance(header, dict) or header.get("hookwise") != HEADER:
        raise SpoolError(f"spool check run {name}: not a hookwise {HEADER} file")
    count = header.get("findings")
    if not isinstance(end, dict) or end.get("end") != count or len(rows) != count:
        raise IncompleteEventError(f"spool check run {name}: incomplete (no matching end line)")
    run = header.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("id"), str):
        raise SpoolError(f"spool check run {name}: the run has no id")
    if not all(isinstance(row, dict) for row in rows):
        raise SpoolError(f"spool check run {name}: a finding is not a JSON object")
    worktree = header.get("worktree")
    folder = header.get("folder")
    return (
        run,
        rows,
        worktree if isinstance(worktree, str) else None,
        folder if isinstance(folder, str) else "",
    )


def _oversized(name: str, size: int) -> OversizedEventError:
    return OversizedEventError(
        f"spool check run {name}: {size:,} bytes or more, larger than the "
        f"{MAX_CHECK_RUN_BYTES:,} bytes a check run can hold"
    )
