"""What an install refuses, or warns about, before it touches anything."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from hookwise.capture.events import HOOKS
from hookwise.capture.locations import RepoPaths
from hookwise.errors import GitError, InstallError
from hookwise.git.runner import run_git
from hookwise.install.files import sha256_of
from hookwise.install.shim import chained_path, shim_location


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def _git_lines(worktree: Path, *args: str, stdin: str = "") -> list[str]:
    """git's NUL-separated output; [] when git says nothing or fails (check-ignore: none)."""
    try:
        out = run_git(args, cwd=worktree, input=stdin.encode())
    except GitError:
        return []
    return [p for p in out.decode(errors="replace").split("\0") if p]


def check_worktree_hooks_dir(
    paths: RepoPaths, hooks_dir: Path, names: Sequence[str] = HOOKS
) -> list[str]:
    """Refuse to replace committed hooks; warn when new hook files would be untracked.

    With ``core.hooksPath`` inside the worktree (husky v5-8 uses ``.husky``)
    the hooks are the project's files: replacing one would change a committed
    file for everybody. husky v9's ``.husky/_`` is git-ignored and fine.
    """
    worktree = paths.worktree
    if worktree is None or not _inside(hooks_dir, worktree):
        return []
    if _inside(hooks_dir, paths.git_dir) or _inside(hooks_dir, paths.common_dir):
        return []
    rel = [str((hooks_dir / name).resolve().relative_to(worktree.resolve())) for name in names]
    tracked = _git_lines(worktree, "ls-files", "-z", "--", *rel)
    if tracked:
        raise InstallError(
            f"core.hooksPath is {hooks_dir}, where {', '.join(sorted(tracked))} "
            f"{'is' if len(tracked) == 1 else 'are'} committed to the repository; "
            "hookwise will not replace a committed file. "
            'Call `hookwise-capture <hook-name> "$@"` from that hook, or use the pre-commit '
            "framework (hookwise install --pre-commit)"
        )
    # --no-index: by the ignore rules alone, whether the files exist yet or not
    ignored = set(
        _git_lines(worktree, "check-ignore", "--no-index", "--stdin", "-z", stdin="\0".join(rel))
    )
    untracked = [r for r in rel if r not in ignored]
    if untracked:
        return [
            f"the hooks in {hooks_dir} are inside the worktree and not ignored by git: "
            f"add them to .gitignore ({', '.join(untracked)}) so they are not committed"
        ]
    return []


def check_stale_chained(hooks_dir: Path, name: str) -> None:
    """Refuse when an earlier install's original is still there but differs from the hook.

    husky v9 rewrites ``.husky/_/*`` on every ``npm install``, replacing the
    shim: then the new hook is the same script as the one kept before, and
    the old copy can go. Anything else would lose a hook, so the user decides.
    """
    hook = hooks_dir / name
    chained = chained_path(hooks_dir, name)
    if shim_location(hooks_dir, name) is not None or not os.path.lexists(hook):
        return
    if not os.path.lexists(chained):
        return
    same = (
        not hook.is_symlink()
        and not chained.is_symlink()
        and sha256_of(hook) == sha256_of(chained)
        and stat.S_IMODE(hook.stat().st_mode) == stat.S_IMODE(chained.stat().st_mode)
    )
    if not same:
        raise InstallError(
            f"{hook} was replaced since hookwise was installed, and {chained} still holds "
            "the hook hookwise chained before; move one of them away, then run "
            "`hookwise install` again"
        )
