"""The one way hookwise runs git (outside the capture hook, which must stay
stdlib-light and spawns git itself: ``hookwise.capture.entry``).

Every read of git that libgit2 does not answer goes through ``run_git`` (or
``complete_git``, for the one command whose exit status is part of its
answer): one place decides how git is found, what a failure says, and which
failures have a type of their own.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from hookwise.errors import GitError, GitNotFoundError, NotARepositoryError


def complete_git(
    args: Sequence[str], *, cwd: Path | str | None = None, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` and return how it ended, whatever its exit status.

    For a command whose failure is part of the answer: ``merge-tree --stdin``
    stops at the first merge it refuses and exits 128, and the merges it
    answered before are in its stdout. git that is not installed still raises
    ``GitNotFoundError``.
    """
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=input, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise GitNotFoundError() from exc


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | str | None = None,
    input: bytes | None = None,
    what: str | None = None,
) -> bytes:
    """Run ``git ARGS`` and return its stdout.

    A failure raises ``GitError`` naming the command (``what``, by default
    ``git <first arg>``) and git's last line of stderr; git that is not
    installed raises ``GitNotFoundError``; "not a git repository" raises
    ``NotARepositoryError`` for ``cwd``.
    """
    proc = complete_git(args, cwd=cwd, input=input)
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")
        if "not a git repository" in stderr:
            # git says so only in words; this is the one place that reads them.
            raise NotARepositoryError(str(Path(cwd or ".").resolve()))
        lines = stderr.strip().splitlines()
        detail = lines[-1] if lines else f"exit code {proc.returncode}"
        raise GitError(f"{what or 'git ' + args[0]} failed: {detail}")
    return proc.stdout


def git(*args: str, cwd: Path | str | None = None, input: bytes | None = None) -> bytes:
    """``run_git`` with the arguments spread: ``git("rev-parse", "HEAD", cwd=repo)``."""
    return run_git(args, cwd=cwd, input=input)
