"""``hookwise fix learn``: fix memory from the repository's own history, on day one.

For every non-merge commit reachable from HEAD (oldest first, those since
a date if asked), each configured checker (``fixes.recipes``) runs on the
files the commit modified, as they were before it (its parent) and after
it; the findings the commit made disappear become fix attempts
(``fixes.mine`` decides which, and builds them).

Speed comes from batches (``fixes.batches``): the checker runs once per
batch of hundreds of commits, not once per commit, and batches run
``jobs`` at a time, so the Python side of one overlaps the checker of the
next. pytest's 13,110 non-merge commits take about 3 minutes on 2 shared
cores with ruff (docs/fixes.md has the figures).

Resumable and incremental: the commits done for each recipe and rule
selection are kept in the store's folder (``learn.json``, beside
``backfill.json``), written after the attempts they produced are stored.
A run that is killed or interrupted continues where the state says it
stopped; attempt ids are hashes of their fields, so a batch done twice
stores nothing twice. A later run after new commits does only those.

One learning run at a time per repository (``learn.lock``). The worker
runs learning when asked through a request file (``request``,
``pending_request``); see ``hookwise.worker.learning``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hookwise.capture.jsonfile import read_object, write_object
from hookwise.capture.locations import RepoPaths
from hookwise.errors import CheckerNotFoundError
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.batches import Batch, Plan, batches, check_batch, only
from hookwise.fixes.context import repository_id
from hookwise.fixes.recipes import DEFAULT_TOOLS, find_program, recipe
from hookwise.git.changes import modified_files
from hookwise.store.db import Store, exclusive
from hookwise.store.fixes import add_fix_attempts

STATE_FILE = "learn.json"
REQUEST_FILE = "learn-request.json"
LOCK_FILE = "learn.lock"
#: Learning runs below the priority of the user's own work (and of the
#: worker, which serves searches), in the foreground and in the worker alike.
NICENESS = 10
#: Stored attempts and saved state at least this often: what an interrupted
#: run does again.
FLUSH_SECONDS = 10.0
Progress = Callable[[int, int], None]  # (commits done now, commits to do in all)


@dataclass(frozen=True)
class LearnOptions:
    """What to learn: the checkers, their rule selections, and from when."""

    tools: tuple[str, ...] = DEFAULT_TOOLS
    select: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # tool -> rules
    since: int | None = None  # committer time, epoch seconds
    jobs: int | None = None  # batches at a time; default: the machine's cores

    def to_json(self) -> dict[str, Any]:
        return {"tools": list(self.tools), "select": dict(self.select), "since": self.since}

    @classmethod
    def from_json(cls, shape: Mapping[str, Any]) -> LearnOptions:
        select = {str(k): tuple(map(str, v)) for k, v in dict(shape.get("select") or {}).items()}
        since = shape.get("since")
        return cls(
            tools=tuple(map(str, shape.get("tools") or DEFAULT_TOOLS)),
            select=select,
            since=since if isinstance(since, int) else None,
        )


@dataclass(frozen=True)
class LearnResult:
    commits: int  # commits checked now, over all tools (a commit checked by two counts twice)
    attempts: int  # fix attempts stored now
    found: int  # fixes found now, including those stored by an earlier run
    missing: tuple[str, ...]  # tools asked for that are not installed
    seconds: float

    @property
    def commits_per_second(self) -> float:
        return self.commits / self.seconds if self.seconds > 0 else 0.0


def learn(
    paths: RepoPaths, options: LearnOptions, *, progress: Progress | None = None
) -> LearnResult:
    """Learn the fixes of the history not learned yet (see the module docstring).

    Raises ``CheckerNotFoundError`` when none of the tools is installed and
    ``StoreLockedError`` when another learning run holds the repository.
    """
    started = time.perf_counter()
    repo = paths.worktree or paths.common_dir
    with exclusive(paths.hookwise_dir / LOCK_FILE, timeout=0):
        plans, missing = _plans(paths, repo, options)
        if not plans:
            raise CheckerNotFoundError(recipe(missing[0]).program)
        total = sum(len(plan.commits) for plan in plans)
        if progress is not None:
            progress(0, total)
        store = Store.open(paths)
        now = int(time.time())
        commits, stored, found = _run(paths, repo, store, plans, options.jobs, now, total, progress)
    return LearnResult(commits, stored, found, tuple(missing), time.perf_counter() - started)


def _plans(paths: RepoPaths, repo: Path, options: LearnOptions) -> tuple[list[Plan], list[str]]:
    recipes = [recipe(tool) for tool in dict.fromkeys(options.tools)]
    programs = {r.tool: find_program(r.program, repo) for r in recipes}
    missing = [r.tool for r in recipes if programs[r.tool] is None]
    if len(missing) == len(recipes):
        return [], missing
    history = modified_files(repo)
    done = read_object(state_path(paths)).get("recipes", {})
    plans = []
    for r in recipes:
        program = programs[r.tool]
        if program is None:
            continue
        select = options.select.get(r.tool, r.default_select)
        seen = set(done.get(r.key(select), {}).get("done", ()))
        todo = [
            only(c, r.suffixes)
            for c in history
            if c.sha not in seen and (options.since is None or c.time >= options.since)
        ]
        plans.append(Plan(r, program, tuple(select), todo))
    return plans, missing


def _run(
    paths: RepoPaths,
    repo: Path,
    store: Store,
    plans: Sequence[Plan],
    jobs: int | None,
    now: int,
    total: int,
    progress: Progress | None,
) -> tuple[int, int, int]:
    """Run every batch, ``jobs`` at a time; store and save state as they finish.

    On Ctrl-C (or any error) the batches that finished are stored and saved
    before the exception goes on, and no batch is left half-counted: its
    commits are marked done only with its attempts stored.
    """
    state = read_object(state_path(paths))
    project = repository_id(paths.hookwise_dir)
    done: dict[str, set[str]] = {
        plan.recipe.key(plan.select): set(
            state.get("recipes", {}).get(plan.recipe.key(plan.select), {}).get("done", ())
        )
        for plan in plans
    }
    waiting: list[FixAttempt] = []
    finished: list[Batch] = []
    commits = stored = found = 0
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal stored, last_flush
        stored += add_fix_attempts(store, [a.to_row() for a in waiting])
        for batch in finished:
            done[batch.plan.recipe.key(batch.plan.select)].update(c.sha for c in batch.commits)
        _save_state(paths, state, done)
        waiting.clear()
        finished.clear()
        last_flush = time.monotonic()

    queue = iter([b for plan in plans for b in batches(plan)])
    width = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=width) as pool:
        running: list[tuple[Batch, Future[list[FixAttempt]]]] = []
        try:
            while True:
                while len(running) < width + 1:
                    batch = next(queue, None)
                    if batch is None:
                        break
                    running.append((batch, pool.submit(check_batch, repo, batch, now, project)))
                if not running:
                    break
                batch, future = running.pop(0)
                attempts = future.result()
                waiting.extend(attempts)
                finished.append(batch)
                commits += len(batch.commits)
                found += len(attempts)
                if progress is not None:
                    progress(len(batch.commits), total)
                if time.monotonic() - last_flush >= FLUSH_SECONDS:
                    flush()
        finally:
            for _, future in running:
                future.cancel()
            flush()
    return commits, stored, found


# -- state and requests ----------------------------------------------------------


def state_path(paths: RepoPaths) -> Path:
    return paths.store_dir / STATE_FILE


def _save_state(paths: RepoPaths, state: dict[str, Any], done: Mapping[str, set[str]]) -> None:
    recipes = dict(state.get("recipes", {}))
    for key, shas in done.items():
        recipes[key] = {"done": sorted(shas)}
    state.update(version=1, recipes=recipes)
    write_object(state_path(paths), state, indent=1, make_parent=True)


def request(paths: RepoPaths, options: LearnOptions) -> Path:
    """Ask the worker to learn with ``options`` (it picks the request up when idle)."""
    path = paths.hookwise_dir / REQUEST_FILE
    write_object(path, options.to_json(), indent=1, make_parent=True)
    return path


def pending_request(paths: RepoPaths) -> tuple[LearnOptions, bytes] | None:
    """The request waiting for the worker, and its bytes (to remove it only if unchanged)."""
    try:
        raw = (paths.hookwise_dir / REQUEST_FILE).read_bytes()
        shape = json.loads(raw)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    return (LearnOptions.from_json(shape), raw) if isinstance(shape, dict) else None


def finish_request(paths: RepoPaths, raw: bytes) -> None:
    """Remove the request that was served, unless a newer one replaced it meanwhile."""
    path = paths.hookwise_dir / REQUEST_FILE
    try:
        if path.read_bytes() == raw:
            path.unlink()
    except FileNotFoundError:
        pass
