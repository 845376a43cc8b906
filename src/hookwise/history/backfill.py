"""Backfill: put the history git already has into the store.

Walks every commit reachable from local branches and HEAD (of every
worktree), with diff stats and a conventional-commit parse, plus branch
switches from the HEAD reflogs. Commits are read and stored a chunk at a
time, so memory holds a few thousand commits, not the history.

Metadata first: a merge's conflict check (``git merge-tree``) costs far
more than reading it (git.git: ~110 merges/s against ~2,500 commits/s), so
when a run brings more than ``INLINE_MERGES`` new merges they are stored
with ``had_conflicts`` null, *pending*, and the worker checks them in the
background (``hookwise.history.conflicts``); fewer are checked during the
run, beside ``git log``.
Incremental: the tips and reflog offsets of the last run are kept with the
store (``.git/hookwise/store/backfill.json``), so a second run reads only
what is new, and a store moved aside or rebuilt takes its state with it.
State that says history was read is ignored when the store holds no commit.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from hookwise.capture.jsonfile import read_object, write_object
from hookwise.capture.locations import RepoPaths
from hookwise.git import reflog
from hookwise.git.branches import assign_branches, default_branch, local_branches
from hookwise.git.conflicts import MergeCheck, check_merges, with_check
from hookwise.git.log import rev_list, stream_commits, subjects
from hookwise.git.runner import git
from hookwise.history import conflicts
from hookwise.history.result import BackfillResult, state_path
from hookwise.records import RefEvent
from hookwise.store import schema
from hookwise.store.db import Store, exclusive, sql_string

__all__ = ["BackfillResult", "backfill", "serve_backfill", "state_path"]

Progress = Callable[[str, int, int], None]  # (stage, advance, total)
#: Commits read and added to the store at a time: a few chunks in memory, never
#: the whole history; one LanceDB fragment each.
CHUNK_COMMITS = 5000
#: Up to this many walked commits are looked up in the store by sha; more, and
#: every stored sha is read instead. After a fetch of 303 commits into git.git's
#: 82k the lookup took 30 ms against 70 ms for reading all (which grows with
#: the history; the lookup grows with the fetch).
LOOKUP_SHAS = 1000


def _save_state(paths: RepoPaths, state: dict[str, Any]) -> None:
    write_object(state_path(paths), state, indent=1)
    # Before 0.1.1 the state lived beside the store, where it outlived a store
    # moved aside and made the rebuild read nothing.
    (paths.hookwise_dir / state_path(paths).name).unlink(missing_ok=True)


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


def _stored(store: Store, shas: list[str]) -> set[str]:
    """Which of ``shas`` the store holds already."""
    if not shas:
        return set()
    if len(shas) > LOOKUP_SHAS:
        return store.known_shas()
    listed = ", ".join(sql_string(sha) for sha in shas)
    return set(store.read("commits", f"sha IN ({listed})", ["sha"]).column("sha").to_pylist())


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
    with exclusive(paths.hookwise_dir / "store.lock", timeout=120), ThreadPoolExecutor(1) as pool:
        # Importing lancedb alone takes ~1.5 s: the store opens while git walks.
        opening = pool.submit(Store.open, paths)
        state = read_object(state_path(paths))
        tips = _tips(repo)
        previous = _existing(repo, sorted(set(state.get("tips", {}).values())))
        store = opening.result()
        heads = sorted(set(tips.values()))
        walked = rev_list(repo, heads, previous)
        if previous and not store.count("commits"):
            # The state says history was read, but the store holds none of it
            # (a table deleted or rebuilt): read it all again, without the state.
            state, walked = {}, rev_list(repo, heads)
        known = _stored(store, [sha for sha, _ in walked])
        new = [(sha, ps) for sha, ps in walked if sha not in known]
        merges = [(sha, ps[0], ps[1]) for sha, ps in new if len(ps) > 1]
        # A few merges (a fetch) are checked now, beside git log; a whole
        # history's wait for the worker (hookwise.worker.conflicts). They are
        # most of a fetch's cost (git.git, 303 commits with 70 merges: ~1 s
        # of merge-tree against 0.3 s of git log --numstat); two merge-tree
        # processes instead of one cost as much wall time on a loaded 2-core
        # machine (2.0 s against 1.3-1.9 s) and more CPU, so one it is.
        checking = (
            pool.submit(check_merges, repo, merges)
            if len(merges) <= conflicts.INLINE_MERGES
            else None
        )
        branches = {
            name[len("refs/heads/") :]: sha
            for name, sha in tips.items()
            if name.startswith("refs/heads/")
        }
        owner = assign_branches(
            dict(walked),
            subjects(repo, [sha for sha, _, _ in merges]),
            branches,
            default_branch(repo, branches),
        )
        counts = _store_commits(store, repo, [sha for sha, _ in new], owner, checking, progress)
        ref_events, offsets = _reflog_events(paths, state, _tags(repo))
        known_ids = store.known_ids() if ref_events else set()
        fresh = [e for e in ref_events if e.id not in known_ids]
        store.insert_ref_events(fresh)
        _save_state(paths, {"tips": tips, "reflogs": offsets, "version": 1})
    return BackfillResult(
        commits=counts.commits,
        merges=counts.merges,
        conflicted=counts.conflicted,
        ref_events=len(fresh),
        seconds=time.perf_counter() - started,
        pending_checks=counts.pending,
    )


def serve_backfill(args: dict[str, Any]) -> dict[str, Any]:
    """The worker's ``backfill`` operation: ``{"hookwise_dir", "worktree"?}``.

    The worker has LanceDB loaded and the store's lock serialises this run
    with its own ingest, so ``hookwise backfill`` after a fetch pays for the
    new commits only, not for 1.5-3.5 s of imports in a fresh process.
    Handled errors come back as ``{"error", "kind"}``, as for ``insights``.
    """
    from hookwise.errors import HookwiseError

    try:
        paths = RepoPaths.for_hookwise_dir(Path(str(args["hookwise_dir"])))
        if isinstance(args.get("worktree"), str):
            paths = replace(paths, worktree=Path(args["worktree"]))
        return backfill(paths).to_json()
    except HookwiseError as exc:
        return {"error": str(exc), "kind": type(exc).__name__}


@dataclass
class _Counts:
    commits: int = 0
    merges: int = 0
    conflicted: int = 0
    pending: int = 0


def _store_commits(
    store: Store,
    repo: Path,
    shas: list[str],
    owner: dict[str, str],
    checking: Future[list[MergeCheck]] | None,
    progress: Progress | None,
) -> _Counts:
    """Read ``shas`` with git log a chunk at a time and add each chunk to the store.

    The caller holds the store lock and ``shas`` are not stored, so a plain
    ``add`` is safe (and far cheaper than a keyed merge); a run killed
    between chunks leaves whole commits behind, and the next run skips them.
    """
    counts = _Counts()
    if progress:
        progress("commits", 0, len(shas))
    checks: dict[str, MergeCheck] | None = None
    now = int(time.time())
    for chunk in stream_commits(repo, shas, chunk_size=CHUNK_COMMITS):
        if checks is None:
            checks = {m.sha: m for m in checking.result()} if checking else {}
        # Only merges change here; the branch and capture time go in as whole
        # columns (a dataclass copy per commit cost ~25 s of git.git's backfill).
        records = [with_check(c, checks.get(c.sha)) if c.is_merge else c for c in chunk]
        rows = schema.commits_to_arrow(records)
        rows = _set_column(rows, "branch", [owner.get(r.sha) for r in records])
        rows = _set_column(rows, "captured_at", [now] * len(records))
        store.add("commits", rows)
        counts.commits += len(records)
        for r in records:
            if r.is_merge:
                counts.merges += 1
                counts.conflicted += bool(r.had_conflicts)
                counts.pending += r.had_conflicts is None
        if progress:
            progress("commits", len(records), len(shas))
    return counts


def _set_column(rows: pa.Table, name: str, values: list[Any]) -> pa.Table:
    index = rows.schema.get_field_index(name)
    return rows.set_column(
        index, rows.schema.field(index), pa.array(values, rows.schema.field(index).type)
    )
