"""``hookwise doctor [--repair]``: every check, and the repairs git makes possible.

A repair never deletes. Git is the source of truth for history and the
store a cache of it (DESIGN §2), so what git holds is read again; what
exists nowhere else (clicks today, fix memory to come) is never removed:
a table that cannot be read is moved whole to
``.git/hookwise/damaged/<time>/`` and started afresh, so its rows can still
be recovered by hand. The order matters: the version file before the
tables (opening the store reads it), the tables before the history (a
rebuilt table is refilled by the backfill), the history before the spool
(ingest reads the commits git has).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hookwise.capture import registry
from hookwise.capture.locations import RepoPaths
from hookwise.doctor.checks import (
    Check,
    StoreState,
    check_history,
    check_hooks,
    check_log,
    check_registry,
    check_spool,
    check_store,
)
from hookwise.history.backfill import backfill, state_path
from hookwise.install.hooks import install
from hookwise.store import repair as store_repair
from hookwise.store import schema
from hookwise.store.db import Store
from hookwise.worker.drain import drain_now


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]
    repaired: tuple[str, ...] = ()  # what --repair did, one line each

    @property
    def problems(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": not self.problems,
            "checks": [c.to_json() for c in self.checks],
            "repaired": list(self.repaired),
        }


def diagnose(paths: RepoPaths) -> tuple[list[Check], StoreState]:
    checks, state = check_store(paths)
    checks += check_history(paths, state)
    checks += check_spool(paths)
    checks += check_hooks(paths)
    checks += check_registry(paths)
    checks += check_log(paths, resolved=all(c.ok for c in checks))
    return checks, state


def doctor(paths: RepoPaths, *, repair: bool = False) -> Report:
    checks, state = diagnose(paths)
    if not repair or all(c.ok for c in checks):
        return Report(tuple(checks))
    done = _repair(paths, checks, state)
    checks, _ = diagnose(paths)
    return Report(tuple(checks), tuple(done))


def _repair(paths: RepoPaths, checks: list[Check], state: StoreState) -> list[str]:
    failing = {c.name for c in checks if not c.ok and c.repair}
    done: list[str] = []
    if state.newer:
        return done  # written by a newer hookwise: not ours to touch
    refill = not state.present or "history" in failing
    for name in state.unreadable:
        moved = store_repair.set_aside(paths, name)
        where = f" (the damaged copy is in {moved.parent})" if moved else ""
        done.append(f"table {name}: started afresh{where}")
        if schema.TABLES[name].source == "git":
            refill = True
    if refill and state.present:
        # Read every commit and reflog entry again: ids make it idempotent.
        state_path(paths).unlink(missing_ok=True)
    if state.version_damaged:
        store_repair.rewrite_version(paths)
        done.append(f"schema: wrote the version file again ({schema.SCHEMA_VERSION})")
    if state.present and (state.unreadable or state.needs_migration or state.version_damaged):
        Store.open(paths)  # creates the tables set aside, migrates an old store
        if state.needs_migration:
            done.append(f"schema: upgraded the store to version {schema.SCHEMA_VERSION}")
    steps: list[tuple[str, Callable[[], str]]] = [
        ("hooks", lambda: _reinstall(paths)),
        ("registry", lambda: _register(paths)),
    ]
    if refill:
        steps.insert(0, ("history", lambda: _refill(paths)))
    if "spool" in failing:
        steps.append(("spool", lambda: _drain(paths)))
    for name, step in steps:
        if name in failing or name == "history":
            done.append(step())
    return done


def _refill(paths: RepoPaths) -> str:
    result = backfill(paths)
    return f"history: read {result.commits:,} commits and {result.ref_events:,} branch events"


def _drain(paths: RepoPaths) -> str:
    result = drain_now(paths)
    events = f"{result.events:,} event{'' if result.events == 1 else 's'}"
    return f"spool: stored {events} ({result.commits:,} new commits)"


def _reinstall(paths: RepoPaths) -> str:
    result = install(paths)
    return f"hooks: installed {', '.join(h.name for h in result.hooks)} in {result.hooks_dir}"


def _register(paths: RepoPaths) -> str:
    registry.register(paths.hookwise_dir)
    return "registry: the worker knows this store again"
