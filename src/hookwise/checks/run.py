"""``hookwise check``'s service: run a checker, then keep its run and findings.

The order is the point. The checker starts first and hookwise stays out of
its way (``process.run_checker`` passes its output through as it comes);
only when it has finished does hookwise parse what it printed, read the
snippets, and open the store, whose ``import lancedb`` alone costs ~1.6 s
on these machines. Nothing waits for the worker or a model.

Whatever goes wrong on hookwise's side afterwards (output the parser cannot
read, a locked, full or read-only store, a folder that is not a repository)
never changes the checker's exit code: the result says what was not stored
and why, and the caller prints it as one line (DESIGN §7).

Paths are kept as the repository knows them: a checker run in a
subdirectory reports ``mod.py`` for ``pkg/mod.py``, and its findings are
stored as ``pkg/mod.py``, so a finding has one path and one fingerprint
wherever the check ran.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import fingerprints, with_snippets
from hookwise.checks.parsers.base import CheckerOutput, Parser
from hookwise.checks.process import CheckerRun, run_checker
from hookwise.checks.registry import parser_for
from hookwise.errors import NotARepositoryError

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.store.fixes import CheckRunRow, FindingRow

#: How long a check waits for another writer's store lock before it gives
#: up storing: a worker's ingest batch holds it well under a second, and a
#: commit hook must not sit out ``Store.lock``'s 30 s default.
STORE_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    """How the check ended: the checker's code, and what hookwise kept of it.

    ``stored`` is the number of findings stored (0 for a clean run that was
    stored); None with ``problem`` when the run could not be kept: a
    ``HookwiseError`` that says why, or an unexpected error, which the
    caller logs, since it too must not change the checker's code.
    """

    exit_code: int
    tool: str
    stored: int | None
    problem: Exception | None = None


def check(
    command: Sequence[str],
    *,
    cwd: Path,
    stdout: BinaryIO,
    stderr: BinaryIO,
    format_name: str | None = None,
    store_wait: float = STORE_WAIT_SECONDS,
) -> CheckResult:
    """Run ``command`` in ``cwd`` as ``process.run_checker`` does, then store its findings.

    An unknown ``format_name`` raises ``UsageError`` before anything runs; a
    checker that is not installed raises ``CheckerNotFoundError``.
    """
    parser = parser_for(command, format_name)
    tool = str(getattr(parser, "tool", parser.name))
    run = run_checker(command, cwd, stdout=stdout, stderr=stderr)
    try:
        stored = store_run(run, parser, tool, store_wait=store_wait)
    except Exception as problem:  # the checker's code must stand, whatever failed
        return CheckResult(run.exit_code, tool, None, problem)
    return CheckResult(run.exit_code, tool, stored)


def store_run(run: CheckerRun, parser: Parser, tool: str, *, store_wait: float) -> int:
    """Parse ``run``'s output and store the run with its findings; how many findings."""
    from hookwise.git.repo import discover

    output = CheckerOutput(
        stdout=run.text("stdout"),
        stderr=run.text("stderr"),
        exit_code=run.exit_code,
        cwd=run.cwd.resolve(),
    )
    found = parser.parse(output)
    paths = discover(run.cwd)
    if paths.worktree is None:  # a bare repository: no files to check
        raise NotARepositoryError(str(run.cwd))
    worktree = paths.worktree.resolve()
    findings = with_snippets(_from_worktree(found, output.cwd or worktree, worktree), worktree)
    run_row, finding_rows = rows(run, tool, findings, head=_head(worktree))
    _add(paths, run_row, finding_rows, store_wait)
    return len(finding_rows)


def rows(
    run: CheckerRun, tool: str, findings: Sequence[Finding], *, head: str | None
) -> tuple[CheckRunRow, list[FindingRow]]:
    """The stored shape of one run and its findings (ids, fingerprints, times)."""
    run_id = uuid.uuid4().hex  # runs of one command in one second are still two runs
    when = int(run.started)
    run_row: CheckRunRow = {
        "id": run_id,
        "tool": tool,
        "command": list(run.command),
        "exit_code": run.exit_code,
        "duration_ms": run.duration_ms,
        "head": head,
        "time": when,
        "finding_count": len(findings),
    }
    finding_rows: list[FindingRow] = [
        {
            "run_id": run_id,
            "tool": finding.tool,
            "rule": finding.rule,
            "message": finding.message,
            "path": finding.path,
            "line": finding.line,
            "fingerprint": print_,
            "snippet": finding.snippet,
            "language": finding.language,
            "fixable": finding.fixable,
            "time": when,
        }
        for finding, print_ in zip(findings, fingerprints(findings), strict=True)
    ]
    return run_row, finding_rows


def _from_worktree(findings: Sequence[Finding], cwd: Path, worktree: Path) -> list[Finding]:
    """Paths relative to ``cwd`` made relative to the worktree (those outside it stay)."""
    if cwd == worktree:
        return list(findings)
    moved = []
    for finding in findings:
        full = os.path.normpath(cwd / finding.path)
        if full == str(worktree) or full.startswith(str(worktree) + os.sep):
            finding = replace(finding, path=Path(full).relative_to(worktree).as_posix())
        moved.append(finding)
    return moved


def _head(worktree: Path) -> str | None:
    """The commit checked, or None before the first commit."""
    from hookwise.git.runner import complete_git

    proc = complete_git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=worktree)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def _add(paths: RepoPaths, run: CheckRunRow, findings: list[FindingRow], wait: float) -> None:
    from hookwise.store.db import Store
    from hookwise.store.fixes import add_check_run

    add_check_run(Store.open(paths), run, findings, lock_timeout=wait)
