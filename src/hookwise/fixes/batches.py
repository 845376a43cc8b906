"""Checking a batch of commits with one checker run (``hookwise fix learn``'s inner loop).

The before and after versions of the files a batch of commits modified are
written into a temporary folder, ``<n>/a/<path>`` and ``<n>/b/<path>`` for
the batch's n-th commit, all read from git by one ``git cat-file --batch``;
the checker runs once over the folder, and its findings are mapped back to
commits and repository paths and judged by ``fixes.mine``. A checker that
started once per commit would start 13,110 times on pytest's history.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from hookwise.checks.findings import Finding
from hookwise.checks.parsers.base import CheckerOutput
from hookwise.checks.process import run_checker
from hookwise.errors import CheckOutputError
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.mine import FileChange, fixes_in
from hookwise.fixes.recipes import Recipe
from hookwise.git.changes import CommitChanges, read_blobs

#: A batch holds at most this many modified files (each checked twice) or
#: commits. 250 files keep a batch's folder and blobs to a few MB and one
#: ruff run near a second on 2 cores, while its start (~20 ms) is lost in it.
BATCH_FILES = 250
BATCH_COMMITS = 500
#: Files larger than this are generated (lock files, vendored bundles): skipped.
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class Plan:
    recipe: Recipe
    program: str
    select: tuple[str, ...]
    commits: list[CommitChanges]  # still to do, oldest first


@dataclass(frozen=True)
class Batch:
    plan: Plan
    commits: list[CommitChanges]


def only(commit: CommitChanges, suffixes: tuple[str, ...]) -> CommitChanges:
    files = tuple(f for f in commit.files if f.path.endswith(suffixes))
    return commit if len(files) == len(commit.files) else replace(commit, files=files)


def batches(plan: Plan) -> Iterator[Batch]:
    commits: list[CommitChanges] = []
    files = 0
    for commit in plan.commits:
        if commits and (files + len(commit.files) > BATCH_FILES or len(commits) >= BATCH_COMMITS):
            yield Batch(plan, commits)
            commits, files = [], 0
        commits.append(commit)
        files += len(commit.files)
    if commits:
        yield Batch(plan, commits)


def check_batch(repo: Path, batch: Batch, now: int, project: str | None = None) -> list[FixAttempt]:
    """Run the batch's checker once over both versions of its files; the fixes found
    (``project``: the repository's id, for their contexts)."""
    wanted = [f for c in batch.commits for f in c.files]
    if not wanted:
        return []
    blobs = read_blobs(repo, [b for f in wanted for b in (f.old_blob, f.new_blob)])
    with tempfile.TemporaryDirectory(prefix="hookwise-learn-") as tmp:
        folder = Path(tmp).resolve()
        changes: dict[tuple[int, str], FileChange] = {}
        for n, commit in enumerate(batch.commits):
            for modified in commit.files:
                before = _text(blobs.get(modified.old_blob))
                after = _text(blobs.get(modified.new_blob))
                if before is None or after is None:
                    continue
                for side, text in (("a", before), ("b", after)):
                    target = folder / str(n) / side / modified.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                changes[(n, modified.path)] = FileChange(
                    commit.sha, commit.time, modified.path, before, after
                )
        if not changes:
            return []
        found = _findings(batch.plan, folder)
    recipe = batch.plan.recipe
    attempts: list[FixAttempt] = []
    for (n, path), change in changes.items():
        old = found.get((n, "a", path), [])
        if old:
            new = found.get((n, "b", path), [])
            mined = fixes_in(
                change, old, new, now=now, syntax_rules=recipe.syntax_rules, project=project
            )
            attempts.extend(mined.attempts)
    return attempts


def _findings(plan: Plan, folder: Path) -> dict[tuple[int, str, str], list[Finding]]:
    """The checker's findings over ``folder``, by (commit number, side, repository path)."""
    command = plan.recipe.command(plan.program, plan.select, ".")
    with open(os.devnull, "wb") as sink:
        run = run_checker(command, folder, stdout=sink, stderr=sink)
    if run.exit_code not in plan.recipe.ok_codes:
        lines = run.text("stderr").strip().splitlines() or [f"exit code {run.exit_code}"]
        raise CheckOutputError(
            plan.recipe.tool,
            f"ended with exit code {run.exit_code} ({lines[-1]})",
            f"run {plan.recipe.tool} on one of the repository's files to see why",
        )
    output = CheckerOutput(run.text("stdout"), run.text("stderr"), run.exit_code, folder)
    found: dict[tuple[int, str, str], list[Finding]] = {}
    for finding in plan.recipe.parser.parse(output):
        number, side, path = [*finding.path.split("/", 2), "", ""][:3]
        if number.isdigit() and side in ("a", "b") and path:
            found.setdefault((int(number), side, path), []).append(finding)
    return found


def _text(blob: bytes | None) -> str | None:
    if blob is None or len(blob) > MAX_FILE_BYTES or b"\0" in blob:
        return None
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
