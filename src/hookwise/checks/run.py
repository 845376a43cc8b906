"""``hookwise check``'s service: run a checker, then hand its run and findings to the worker.

The order is the point. The checker starts first and hookwise stays out of
its way (``process.start_checker`` passes its output through as it comes);
while it runs, hookwise imports its parser and asks git where the
repository is, on the machine's other core. When the checker has finished,
hookwise parses what it printed, reads the snippets, fingerprints the
findings and writes the run to the repository's spool
(``hookwise.capture.checkrun``), the write-ahead log the worker stores into
LanceDB. The check itself never opens the store: ``import lancedb`` alone
costs ~1.6 s on these machines, against a budget of 50 ms for everything
``hookwise check`` adds to the checker.

Whatever goes wrong on hookwise's side afterwards (output the parser cannot
read, a spool that cannot be written, a folder that is not a repository)
never changes the checker's exit code: the result says what was not kept
and why, and the caller prints it as one line (DESIGN §7).

Paths are kept as the repository knows them: a checker run in a
subdirectory reports ``mod.py`` for ``pkg/mod.py``, and its findings are
kept as ``pkg/mod.py``, so a finding has one path and one fingerprint
wherever the check ran.
"""

from __future__ import annotations

# os.path, not pathlib: pathlib costs ~6 ms to import on this path.
# ruff: noqa: PTH118
import os

from hookwise.checks.formats import check_format
from hookwise.checks.locate import Repository, ask_git, locate, read_repository
from hookwise.checks.process import start_checker
from hookwise.errors import SpoolError

# Only what starting the checker needs is imported before it starts; the
# parser and what spools the run are loaded while the checker runs. None of
# it imports ``dataclasses``, ``pathlib``, ``typing``, ``subprocess`` or
# ``hashlib`` (hookwise.checks.frozen says why): together those cost 40-50 ms
# of the 50 ms budget on a loaded 2-core machine.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from threading import Thread
    from typing import BinaryIO

    from hookwise.checks.findings import Finding
    from hookwise.checks.parsers.base import Parser
    from hookwise.checks.process import CheckerRun
    from hookwise.store.fixes import CheckRunRow, FindingRow

__all__ = ["CheckResult", "Repository", "check", "hand_off", "locate", "rows"]


class CheckResult:
    """How the check ended: the checker's code, and what hookwise kept of it.

    ``stored`` is the number of findings handed to the worker (0 for a
    clean run, which is kept too); None with ``problem`` when the run could
    not be kept: a ``HookwiseError`` that says why, or an unexpected error,
    which the caller logs, since it too must not change the checker's code.
    ``found`` counts every finding; more than ``stored`` when a run was too
    large to keep whole (``hookwise.capture.checkrun``). ``findings`` are
    the ones kept, paths from the worktree's top, for suggestions; ``run``
    is the spooled ``check_runs`` row and ``fingerprints`` those of the kept
    findings, so what the check shows can be remembered against them.

    Plain classes, like ``CheckerRun``: this module is imported before the
    checker starts.
    """

    __slots__ = (
        "exit_code",
        "findings",
        "fingerprints",
        "found",
        "problem",
        "repository",
        "run",
        "stored",
        "tool",
    )

    def __init__(
        self,
        exit_code: int,
        tool: str,
        stored: int | None,
        problem: Exception | None = None,
        *,
        found: int = 0,
        findings: tuple[Finding, ...] = (),
        repository: Repository | None = None,
        run: CheckRunRow | None = None,
        fingerprints: tuple[str, ...] = (),
    ) -> None:
        self.exit_code = exit_code
        self.run = run
        self.fingerprints = fingerprints
        self.tool = tool
        self.stored = stored
        self.problem = problem
        self.found = found
        self.findings = findings
        self.repository = repository


def check(
    command: Sequence[str],
    *,
    cwd: str | os.PathLike[str],
    stdout: BinaryIO,
    stderr: BinaryIO,
    format_name: str | None = None,
) -> CheckResult:
    """Run ``command`` in ``cwd`` as ``process.run_checker`` does, then hand its run over.

    An unknown ``format_name`` raises ``UsageError`` before anything runs; a
    checker that is not installed raises ``CheckerNotFoundError``.
    """
    check_format(format_name)
    running = start_checker(command, cwd, stdout=stdout, stderr=stderr)
    try:
        # While the checker runs: git's answer, and the parser's imports.
        where = _Locating(cwd)
        from hookwise.checks.registry import parser_for

        parser = parser_for(command, format_name)
        tool = str(getattr(parser, "tool", parser.name))
        _prepare()
    except BaseException:
        running.interrupt()
        raise
    run = running.finish()
    try:
        return hand_off(run, parser, tool, where.result())
    except Exception as problem:  # the checker's code must stand, whatever failed
        return CheckResult(run.exit_code, tool, None, problem)


def hand_off(run: CheckerRun, parser: Parser, tool: str, repository: Repository) -> CheckResult:
    """Parse ``run``'s output and spool the run with its findings for the worker."""
    from hookwise.capture import checkrun
    from hookwise.checks.fingerprint import with_snippets
    from hookwise.checks.parsers.base import CheckerOutput

    cwd = os.path.realpath(run.cwd)
    output = CheckerOutput(run.text("stdout"), run.text("stderr"), run.exit_code, cwd)
    found = parser.parse(output)
    top = repository.top
    findings = with_snippets(_from_worktree(found, cwd, top), top)
    run_row, finding_rows = rows(run, tool, findings, head=repository.head)
    spool = os.path.join(repository.hookwise_dir, "spool")
    try:
        _, kept = checkrun.write(
            spool, dict(run_row), finding_rows, worktree=top, folder=_folder(cwd, top)
        )
    except OSError as exc:
        raise SpoolError(
            f"cannot write to {spool} ({exc.strerror or exc}); check that the disk has room "
            "and that you can write there"
        ) from exc
    return CheckResult(
        run.exit_code,
        tool,
        kept,
        found=len(findings),
        findings=tuple(findings[:kept]),
        repository=repository,
        run=run_row,
        fingerprints=tuple(row["fingerprint"] for row in finding_rows[:kept]),
    )


def rows(
    run: CheckerRun, tool: str, findings: Sequence[Finding], *, head: str | None
) -> tuple[CheckRunRow, list[FindingRow]]:
    """The stored shape of one run and its findings (ids, fingerprints, times)."""
    from hookwise.checks.fingerprint import fingerprints

    # Random, as uuid4 is (without importing uuid, ~9 ms): runs of one command
    # in one second are still two runs.
    run_id = os.urandom(16).hex()
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


def _prepare() -> None:
    """Import what handing the run over needs, while the checker still runs."""
    import hookwise.capture.checkrun
    import hookwise.checks.fingerprint
    import hookwise.checks.parsers.base  # noqa: F401


class _Locating:
    """The worktree's top, the common git dir and HEAD: from git's files at once (a fraction
    of a millisecond), else from ``git rev-parse`` in a thread, while the checker runs."""

    def __init__(self, cwd: str | os.PathLike[str]) -> None:
        self._cwd = cwd
        self._answer = read_repository(cwd)
        self._problem: Exception | None = None
        self._thread: Thread | None = None
        if self._answer is None:
            from threading import Thread

            self._thread = Thread(target=self._ask_git, daemon=True)
            self._thread.start()

    def _ask_git(self) -> None:
        try:
            self._answer = ask_git(self._cwd)
        except Exception as exc:  # handed to the caller by result()
            self._problem = exc

    def result(self) -> Repository:
        if self._thread is not None:
            self._thread.join()
        if self._problem is not None:
            raise self._problem
        assert self._answer is not None
        return self._answer


def _folder(cwd: str, worktree: str) -> str:
    """Where ``cwd`` is in the worktree, POSIX (empty at its top or outside it)."""
    relative = os.path.relpath(cwd, os.path.realpath(worktree))
    if relative == "." or relative == ".." or relative.startswith(".." + os.sep):
        return ""
    return relative.replace(os.sep, "/")


def _from_worktree(findings: Sequence[Finding], cwd: str, worktree: str) -> list[Finding]:
    """Paths relative to ``cwd`` made relative to the worktree (those outside it stay)."""
    worktree = os.path.realpath(worktree)
    if cwd == worktree:
        return list(findings)
    moved = []
    for finding in findings:
        full = os.path.normpath(os.path.join(cwd, finding.path))
        if full == worktree or full.startswith(worktree + os.sep):
            relative = os.path.relpath(full, worktree).replace(os.sep, "/")
            finding = finding.replace(path=relative)
        moved.append(finding)
    return moved
