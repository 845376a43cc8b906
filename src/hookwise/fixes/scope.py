"""What a check run looked at, read from its command: which runs compare, which files count.

A finding missing from a new run is only a fix if the new run looked where
it was. pre-commit passes the staged files to a checker, so one commit's
run checks ``a.py`` and the next one's ``b.py``: a finding in ``b.py``
missing from the first run was not looked for, let alone fixed. So a
command is read as a *shape* and *targets*:

- the targets are its arguments that name files or folders of the
  repository: ``.`` (the whole repository), an existing path, or anything
  that looks like one (it holds a ``/``, or ends in a source file's suffix
  such as ``.py``, so a file deleted since is still a file name);
- the shape is everything else, the program and its options, in order.

Two runs compare when their shapes are equal: ``ruff check a.py`` and
``ruff check b.py`` do, ``ruff check --select F a.py`` does not (other
rules, other findings). A run without targets covers the whole repository.

A command's targets are relative to the folder its checker ran in, which
the check's spooled run names: ``cd docs && ruff check .`` looked at
``docs`` alone, and ``ruff check`` with no target there too. Earlier runs
are read back from ``check_runs``, which keep no folder, so they are read
as run from the top, where git and pre-commit run hooks: a file name an
earlier run was given from a subfolder then names no file of the
repository, and that run judges less, never more. An option's value that
names a file (``--config setup.cfg``) counts as a target, which also only
narrows.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hookwise.checks.findings import language_of


@dataclass(frozen=True)
class Scope:
    shape: tuple[str, ...]  # the command with its targets taken out
    targets: tuple[str, ...]  # repository paths, POSIX; empty: the whole repository

    def covers(self, path: str) -> bool:
        """Whether a run of this scope checked the repository file ``path``."""
        if not self.targets:
            return True
        return any(path == target or path.startswith(target + "/") for target in self.targets)

    def includes(self, other: Scope) -> bool:
        """Whether this scope checked everything ``other`` did."""
        if not self.targets:
            return True
        return bool(other.targets) and all(self.covers(target) for target in other.targets)


def scope(command: Sequence[str], worktree: Path | None, folder: str = "") -> Scope:
    """The shape and targets of ``command``, run in ``folder`` of the worktree (empty: its top).

    Its program (the first word) is never a target.
    """
    shape: list[str] = list(command[:1])
    targets: list[str] = []
    for argument in command[1:]:
        target = _target(argument, worktree, folder)
        if target is None:
            shape.append(argument)
        else:
            targets.append(target)
    if not targets and folder:
        targets.append(folder)  # a checker given no target looks where it runs
    whole = not targets or "." in targets
    return Scope(tuple(shape), () if whole else tuple(dict.fromkeys(targets)))


def _target(argument: str, worktree: Path | None, folder: str) -> str | None:
    """``argument`` as a repository path if it names one, else None."""
    if not argument or argument.startswith("-"):
        return None
    if Path(argument).is_absolute():
        if worktree is None:
            return None
        relative = os.path.relpath(argument, worktree)
        return None if relative.startswith("..") else Path(relative).as_posix()
    given = argument.replace(os.sep, "/")
    path = posixpath.normpath(posixpath.join(folder, given))
    here_or_up = posixpath.normpath(given) in {".", ".."}
    looks_like_a_path = here_or_up or "/" in argument or language_of(path) is not None
    if looks_like_a_path or (worktree is not None and (worktree / path).exists()):
        return path
    return None
