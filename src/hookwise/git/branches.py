"""Which branch a commit was made on, inferred from history.

Live capture records the branch checked out at commit time. For history,
each local branch claims the commits on its first-parent chain (the default
branch first), and a merge whose subject names the branch it merged
("Merge branch 'x'", "Merge pull request #1 from user/x") gives that name to
the first-parent chain of its second parent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from hookwise.git.runner import git

MERGED_NAME = re.compile(
    r"^Merge (?:branch '(?P<branch>[^']+)'|pull request #\d+ from (?P<pr>\S+)"
    r"|remote-tracking branch '(?P<remote>[^']+)')"
)


def local_branches(repo: Path) -> dict[str, str]:
    """Local branch name -> tip sha."""
    out = git("for-each-ref", "--format=%(objectname) %(refname:short)", "refs/heads", cwd=repo)
    branches: dict[str, str] = {}
    for line in out.decode().splitlines():
        sha, _, name = line.partition(" ")
        branches[name] = sha
    return branches


def default_branch(repo: Path, branches: Mapping[str, str]) -> str | None:
    for ref in ("refs/remotes/origin/HEAD",):
        try:
            target = git("symbolic-ref", "--short", ref, cwd=repo).decode().strip()
            name = target.split("/", 1)[-1]
            if name in branches:
                return name
        except Exception:
            pass
    try:
        configured = git("config", "init.defaultBranch", cwd=repo).decode().strip()
        if configured in branches:
            return configured
    except Exception:
        pass
    for name in ("main", "master", "trunk", "develop"):
        if name in branches:
            return name
    return next(iter(sorted(branches)), None)


def assign_branches(
    parents: Mapping[str, Sequence[str]],
    subjects: Mapping[str, str],
    branches: Mapping[str, str],
    default: str | None,
) -> dict[str, str]:
    """sha -> branch name for the commits in ``parents`` (others are left out)."""
    owner: dict[str, str] = {}

    def claim(sha: str | None, name: str) -> None:
        while sha is not None and sha in parents and sha not in owner:
            owner[sha] = name
            ps = parents[sha]
            sha = ps[0] if ps else None

    order = sorted(branches, key=lambda b: (b != default, b))
    for name in order:
        claim(branches[name], name)
    # Second parents of merges, newest first, named from the merge subject.
    changed = True
    while changed:
        changed = False
        for sha, ps in parents.items():
            if len(ps) < 2 or ps[1] in owner or ps[1] not in parents:
                continue
            m = MERGED_NAME.match(subjects.get(sha, ""))
            if m is None:
                continue
            name = m.group("branch") or m.group("pr") or m.group("remote") or ""
            claim(ps[1], name)
            changed = True
    return owner
