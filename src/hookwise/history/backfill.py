"""Backfill: put the history git already has into the store.

Walks every commit reachable from local branches and HEAD (of every
worktree), with diff stats, a conflict check for every merge and a
conventional-commit parse, plus branch switches from the HEAD reflogs.
Incremental: the tips and reflog offsets of the last run are kept with the
store (``.git/hookwise/store/backfill.json``), so a second run reads only
what is new, and a store moved aside or rebuilt takes its state with it.
State that says history was read is ignored when the store holds no commit.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hookwise.capture.jsonfile import read_object, write_object
from hookwise.capture.locations import RepoPaths
from hookwise.git import reflog
from hookwise.git.branches import assign_branches, default_branch, local_branches
from hookwise.git.conflicts import check_merges, with_check
from hookwise.git.log import read_commits, rev_list
from hookwise.git.runner import git
from hookwise.records import RefEvent
from hookwise.store.db import Store, exclusive

STATE_FILE = "backfill.json"
Progress = Callable[[str, int, int], None]  # (stage, advance, total)


@dataclass(frozen=True)
class BackfillResult:
    commits: int
    merges: int
    conflicted: int
    ref_events: int
    seconds: float

    @property
    def commits_per_second(self) -> float:
        return self.commits / self.seconds if self.seconds > 0 else 0.0


def state_path(paths: RepoPaths) -> Path:
    return paths.store_dir / STATE_FILE


def _save_state(paths: RepoPaths, state: dict[str, Any]) -> None:
    write_object(state_path(paths), state, indent=1)
    # Before 0.1.1 the state lived beside the store, where it outlived a store
    # moved aside and made the rebuild read nothing.
    (paths.hookwise_dir / STATE_FILE).unlink(missing_ok=True)


def _tips(repo: Path) -> dict[str, str]:
    """Every local branch and the HEAD of every worktree: name -> sha."""
    tips = {f"refs/heads/{name}": sha for name, sha in local_branches(repo).items()}
    out = git("worktree", "list", "--porcelain", cwd=repo).decode()
    for block in out.split("\n\n"):
        fields = dict(line.partition(" ")[::2] for line in block.splitlines() if line)
        if "HEAD" in fields and fields["HEAD"].strip("0"):
            tips[f"HEAD@{fields.get('worktree', '')}"] = fields["HEAD"]
    return tips


def _existing(repo: Path, shas: list[str]) -> list[str]:
    if not shas:
        return []
    out = git("cat-file", "--batch-check", cwd=repo, input=("\n".join(shas) + "\n").encode())
    return [line.split()[0] for line in out.decode().splitlines() if " commit " in line]


def _tags(repo: Path) -> frozenset[str]:
    out = git("for-each-ref", "--format=%(refname:short)", "refs/tags", cwd=repo)
    return frozenset(out.decode().split())


def _reflog_events(
    paths: RepoPaths, state: dict[str, Any], tags: frozenset[str]
) -> tuple[list[RefEvent], dict[str, Any]]:
    offsets: dict[str, Any] = dict(state.get("reflogs", {}))
    events: list[RefEvent] = []
    for worktree, path in reflog.head_reflogs(paths.common_dir):
        seen = offsets.get(worktree) or {}
        offset = int(seen.get("offset", 0))
        try:
            with path.open("rb") as fh:
                first = hashlib.sha1(fh.readline()).hexdigest()
        except FileNotFoundError:
            offsets.pop(worktree, None)
            continue
        if seen.get("first") != first:
            offset = 0  # expired or rewritten: read it again (ids make this idempotent)
        entries, end = reflog.read(path, offset)
        if end < offset:
            entries, end = reflog.read(path, 0)
        for entry in entries:
            event = reflog.to_ref_event(worktree, entry, "backfill", tags)
            if event is not None:
                events.append(event)
        offsets[worktree] = {"offset": end, "first": first}
    return events, offsets


def backfill(paths: RepoPaths, *, progress: Progress | None = None) -> BackfillResult:
    """Bring the store up to date with git's history (see the module docstring)."""
    started = time.perf_counter()
    repo = paths.worktree or paths.common_dir
    with exclusive(paths.hookwise_dir / "store.lock", timeout=120):
        state = read_object(state_path(paths))
        tips = _tips(repo)
        previous = _existing(repo, sorted(set(state.get("tips", {}).values())))
        walked = rev_list(repo, sorted(set(tips.values())), previous)
        if progress:
            progress("commits", 0, len(walked))
        merges = [(sha, ps[0], ps[1]) for sha, ps in walked if len(ps) > 1]
        with ThreadPoolExecutor(max_workers=2) as pool:
            # git log and git merge-tree run in their own processes while this
            # thread opens the store (importing lancedb alone takes ~1.5 s).
            merge_future = pool.submit(check_merges, repo, merges)
            commits_future = pool.submit(
                read_commits,
                repo,
                [sha for sha, _ in walked],
                on_progress=(lambda n: progress("commits", n, len(walked))) if progress else None,
            )
            store = Store.open(paths)
            known = store.known_shas()
            commits = [c for c in commits_future.result() if c.sha not in known]
            checks = {m.sha: m for m in merge_future.result()}
        if previous and not known:
            # The state says history was read, but the store holds none of it
            # (a table deleted or rebuilt): read it all again, without the state.
            state, previous = {}, []
            walked = rev_list(repo, sorted(set(tips.values())))
            merges = [(sha, ps[0], ps[1]) for sha, ps in walked if len(ps) > 1]
            commits = read_commits(repo, [sha for sha, _ in walked])
            checks = {m.sha: m for m in check_merges(repo, merges)}
        branches = {
            name[len("refs/heads/") :]: sha
            for name, sha in tips.items()
            if name.startswith("refs/heads/")
        }
        owner = assign_branches(
            dict(walked),
            {c.sha: c.subject for c in commits},
            branches,
            default_branch(repo, branches),
        )
        now = int(time.time())
        records = [
            with_check(
                c, checks.get(c.sha), branch=owner.get(c.sha), source="backfill", captured_at=now
            )
            for c in commits
        ]
        store.insert_commits(records)
        ref_events, offsets = _reflog_events(paths, state, _tags(repo))
        known_ids = store.known_ids() if ref_events else set()
        fresh = [e for e in ref_events if e.id not in known_ids]
        store.insert_ref_events(fresh)
        _save_state(paths, {"tips": tips, "reflogs": offsets, "version": 1})
    return BackfillResult(
        commits=len(records),
        merges=sum(1 for r in records if r.is_merge),
        conflicted=sum(1 for r in records if r.had_conflicts),
        ref_events=len(fresh),
        seconds=time.perf_counter() - started,
    )
