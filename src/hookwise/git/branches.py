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
from dataclasses import dataclass
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


# -- the state of every local branch (health) ------------------------------------

DAY = 86_400


@dataclass(frozen=True)
class BranchState:
    name: str
    last_commit: int  # committer time of the tip, epoch seconds
    idle_days: int
    merged: bool  # reachable from the default branch, and not its tip
    ahead: int  # commits not in the default branch
    stale: bool


def _branch_tips(repo: Path) -> dict[str, tuple[str, int]]:
    """Local branch -> (tip sha, committer time of the tip)."""
    out = git(
        "for-each-ref",
        "--format=%(refname:short)%00%(objectname)%00%(committerdate:unix)",
        "refs/heads",
        cwd=repo,
    )
    tips: dict[str, tuple[str, int]] = {}
    for line in out.decode("utf-8", errors="replace").splitlines():
        name, sha, stamp = line.split("\0")
        tips[name] = (sha, int(stamp or 0))
    return tips


def _merged_into(repo: Path, target: str) -> set[str]:
    out = git(
        "for-each-ref",
        f"--merged=refs/heads/{target}",
        "--format=%(refname:short)",
        "refs/heads",
        cwd=repo,
    )
    return set(out.decode("utf-8", errors="replace").splitlines())


def _ahead(repo: Path, target: str, branch: str) -> int:
    out = git("rev-list", "--count", f"refs/heads/{target}..refs/heads/{branch}", cwd=repo)
    return int(out.decode().strip() or 0)


def branch_states(repo: Path, *, now: int, stale_days: int) -> tuple[str | None, list[BranchState]]:
    """The default branch and every other local branch, oldest activity first."""
    tips = _branch_tips(repo)
    default = default_branch(repo, {name: sha for name, (sha, _) in tips.items()})
    if default is None:
        return None, []
    merged = _merged_into(repo, default)
    default_tip = tips[default][0]
    states = []
    for name, (sha, stamp) in tips.items():
        if name == default:
            continue
        idle = max(0, (now - stamp) // DAY)
        # A branch at the default branch's tip has no work of its own yet (it
        # was just created): git calls it merged, but there is nothing to delete.
        is_merged = name in merged and sha != default_tip
        states.append(
            BranchState(
                name=name,
                last_commit=stamp,
                idle_days=idle,
                merged=is_merged,
                ahead=0 if is_merged else _ahead(repo, default, name),
                stale=idle >= stale_days,
            )
        )
    states.sort(key=lambda b: (b.last_commit, b.name))
    return default, states
