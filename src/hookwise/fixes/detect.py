"""Findings that disappear are fixes: fix attempts seen from two check runs.

After each check run is stored, ``detect_fixes`` compares it with what the
earlier runs of the same checker found:

- **A finding that is gone is a fix** (outcome ``success``, source ``auto``)
  when its file changed at the finding's place: the diff is the hunk there
  (``hunks.hunk_at``) between the file as the earlier run's HEAD held it and
  the file after, which is the newest commit between the two runs' HEADs
  that touched it (the attempt is linked to that commit and takes its
  committer time), or the working tree when no commit did yet (no commit;
  the new run's time). Its strategy and kind come from
  ``strategy.describe``. Not a fix, and nothing recorded: the file was
  deleted, its whole block went with it (``hunks.block_removed``), or the
  file did not change at all (the checker's configuration changed, or it
  was run differently).
- **A finding still there after a commit that edited its line**
  (``hunks.touched``, the line itself or an insertion right above it)
  records a ``failure`` for the strategy that commit applied, so a strategy
  that did not work loses rank. Not the lines next to it: deleting one
  unused import of four touches its two neighbours, and in a measured run
  (500 files, one import of four removed in each) counting neighbours
  recorded 1,000 failures beside the 500 fixes, none of them an attempt.

Which earlier run, and which findings are judged, is decided from the
commands alone (``scope``): runs compare when their commands are equal once
the file names in them are set aside, and a finding is judged only where
the new run looked. For a command naming files (pre-commit passes the staged
ones), that is those files, each compared with the latest earlier run that
checked it; otherwise it is the whole repository, compared with the previous
run of the same command.

Attempt ids are hashes of their fields, and every field (the time included)
comes from the two runs and git, so seeing the same pair of runs again
records nothing new. What cannot be read (a commit gone after a rewrite or a
shallow clone, a file outside the worktree, a binary file) is skipped.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hookwise.capture.locations import RepoPaths
from hookwise.checks.findings import language_of
from hookwise.checks.fingerprint import normalise
from hookwise.errors import GitError
from hookwise.fixes.attempt import FixAttempt, attempt_id, canonical_context
from hookwise.fixes.context import SourceFile, attempt_context, repository_id, with_context
from hookwise.fixes.hunks import block_removed, hunk_at, touched
from hookwise.fixes.scope import Scope, scope
from hookwise.fixes.strategy import describe
from hookwise.git.blobs import Touch, blobs, last_touches
from hookwise.store.db import Store
from hookwise.store.fixes import (
    CheckRunRow,
    FindingRow,
    add_fix_attempts,
    earlier_check_runs,
    findings_of_runs,
)

#: How many earlier runs of the tool are read to find the ones to compare
#: with. A pre-commit run checks only the staged files, so the latest run
#: that looked at a file may be several runs back; 50 runs is a day's
#: commits for a busy developer, and one read of the ``check_runs`` table.
EARLIER_RUNS = 50


@dataclass(frozen=True)
class _Judged:
    """A finding of an earlier run that the new run looked at again."""

    finding: FindingRow
    head: str  # the earlier run's HEAD: the file as that run saw it
    gone: bool


def detect_fixes(
    store: Store,
    paths: RepoPaths,
    run: CheckRunRow,
    findings: list[FindingRow],
    *,
    folder: str = "",
) -> int:
    """Record the fixes (and failed attempts) ``run`` shows; how many attempts were new.

    ``run`` and its ``findings`` are a stored check run; ``paths`` the
    repository's (without a worktree, fixes not committed yet are not seen);
    ``folder`` where in the worktree its checker ran (empty: the top).
    """
    if run["head"] is None:  # nothing committed yet: no earlier file to compare with
        return 0
    judged = list(_judged(store, run, findings, paths.worktree, folder))
    if not judged:
        return 0
    repo = paths.worktree or paths.common_dir
    project = repository_id(paths.hookwise_dir)
    try:
        attempts = _attempts(repo, paths.worktree, run, judged, project)
    except GitError:  # git cannot read this repository at all: nothing to learn from it
        return 0
    return add_fix_attempts(store, [attempt.to_row() for attempt in attempts])


def _judged(
    store: Store, run: CheckRunRow, findings: list[FindingRow], worktree: Path | None, folder: str
) -> Iterator[_Judged]:
    """The earlier findings ``run`` looked at again, each with the run that reported it.

    Earlier runs are walked newest first; a finding is judged against the
    latest earlier run that checked its file, and the walk stops at a run
    that checked all the new run did (the same command, or a wider one).
    """
    mine = scope(run["command"], worktree, folder)
    present = {finding["fingerprint"] for finding in findings}
    chain: list[tuple[CheckRunRow, Scope]] = []
    for earlier in earlier_check_runs(store, run, limit=EARLIER_RUNS):
        theirs = scope(earlier["command"], worktree)
        if theirs.shape != mine.shape:
            continue
        chain.append((earlier, theirs))
        if earlier["command"] == run["command"] or theirs.includes(mine):
            break
    reported = findings_of_runs(store, [earlier["id"] for earlier, _ in chain])
    newer: list[Scope] = []
    for earlier, theirs in chain:
        # The same command from another folder looked elsewhere; earlier runs'
        # folders are not kept, so only a run from the top is known to repeat one.
        same = earlier["command"] == run["command"] and not folder
        for finding in reported[earlier["id"]]:
            path = finding["path"]
            if any(seen.covers(path) for seen in newer) or not _inside(path):
                continue  # a run in between judged it, or it is not a file of the worktree
            if earlier["head"] is not None and (same or mine.covers(path)):
                yield _Judged(finding, earlier["head"], finding["fingerprint"] not in present)
        newer.append(theirs)


def _attempts(
    repo: Path, worktree: Path | None, run: CheckRunRow, judged: list[_Judged], project: str
) -> list[FixAttempt]:
    """The attempts the judged findings make, reading every file in one ``git cat-file``;
    each file the findings were reported in is parsed once for their contexts."""
    head = run["head"]
    assert head is not None
    touches: dict[str, dict[str, Touch]] = {}
    for earlier in {j.head for j in judged}:
        try:
            touches[earlier] = last_touches(
                repo, earlier, head, {j.finding["path"] for j in judged if j.head == earlier}
            )
        except GitError:  # the earlier HEAD is gone (rewritten, or a shallow clone)
            continue
    wanted: list[tuple[str, str]] = []
    for j in judged:
        if j.head not in touches:
            continue
        path = j.finding["path"]
        touch = touches[j.head].get(path)
        wanted.append((j.head, path))
        if touch is not None:
            wanted.append((touch.commit if j.gone else head, path))
    files = blobs(repo, wanted)
    now = int(clock.time())
    attempts = []
    sources: dict[tuple[str, str], SourceFile] = {}
    for j in judged:
        if j.head not in touches:
            continue
        path = j.finding["path"]
        touch = touches[j.head].get(path)
        before = _text(files.get((j.head, path)))
        if before is None or not _saw(before, j.finding):
            continue  # the earlier run saw a file its HEAD does not hold (uncommitted edits)
        if j.gone:
            if touch is not None:
                after = _text(files.get((touch.commit, path)))
            elif worktree is not None:
                after = _read(worktree / path)
            else:
                continue  # the fix may be in a worktree the caller did not name
            attempt = _success(j.finding, before, after, touch, run["time"], now)
        elif touch is not None:
            after = _text(files.get((head, path)))
            attempt = _failure(j.finding, before, after, touch, now)
        else:
            continue  # still there, and its file was not committed again: not worked on
        if attempt is not None:
            source = sources.get((j.head, path))
            if source is None:
                source = sources[(j.head, path)] = SourceFile(before, language_of(path))
            context = attempt_context(
                project=project,
                language=j.finding["language"],
                source=source,
                line=j.finding["line"],
            )
            attempts.append(with_context(attempt, context))
    return attempts


def _success(
    finding: FindingRow,
    before: str,
    after: str | None,
    touch: Touch | None,
    run_time: int,
    now: int,
) -> FixAttempt | None:
    line = finding["line"]
    if after is None or after == before or block_removed(before, after, line):
        return None  # deleted with its file or block, or not changed: not a fix
    diff = hunk_at(before, after, line, path=finding["path"])
    if diff is None:
        return None
    commit, when = (None, run_time) if touch is None else (touch.commit, touch.time)
    return _attempt(finding, "success", diff, commit, when, now)


def _failure(
    finding: FindingRow, before: str, after: str | None, touch: Touch, now: int
) -> FixAttempt | None:
    line = finding["line"]
    if after is None or line is None or not touched(before, after, line, reach=0):
        return None
    diff = hunk_at(before, after, line, path=finding["path"])
    if diff is None:
        return None
    return _attempt(finding, "failure", diff, touch.commit, touch.time, now)


def _attempt(
    finding: FindingRow, outcome: str, diff: str, commit: str | None, when: int, now: int
) -> FixAttempt:
    """The attempt row, with every field but ``recorded_at`` fixed by the runs and git."""
    strategy = describe(diff)
    language = finding["language"]
    fields: dict[str, Any] = {
        "tool": finding["tool"],
        "rule": finding["rule"],
        "message": finding["message"],
        "path": finding["path"],
        "snippet": finding["snippet"],
        "fingerprint": finding["fingerprint"],
        "language": language,
        "strategy": strategy.name,
        "kind": strategy.kind,
        "source": "auto",
        "outcome": outcome,
        "commit": commit,
        "diff": diff,
        # The project and complexity are added by the caller (``with_context``).
        "context": None if language is None else canonical_context({"language": language}),
        "confirms": None,
        "time": when,
    }
    return FixAttempt(id=attempt_id(fields), recorded_at=now, **fields)


def _saw(before: str, finding: FindingRow) -> bool:
    """Whether ``before`` holds the finding's snippet at its line (what the checker saw)."""
    line, snippet = finding["line"], finding["snippet"]
    if line is None or not snippet:
        return True
    lines = before.splitlines()
    if not 1 <= line <= len(lines):
        return False
    return normalise(lines[line - 1]) == normalise(snippet.splitlines()[0])


def _inside(path: str) -> bool:
    """Whether ``path`` names a file inside the worktree (not absolute, no ``..``)."""
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _read(path: Path) -> str | None:
    try:
        return _text(path.read_bytes())
    except OSError:  # deleted, or a directory now
        return None
