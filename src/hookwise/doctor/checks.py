"""What ``hookwise doctor`` looks at, one check at a time.

Each check says in one line what it found and, when something is wrong,
what to do; ``repair`` names what ``hookwise doctor --repair`` would do
about it (None when only a person can: a newer hookwise to install, corrupt
events to inspect). The checks follow the path an event takes: the store
and its tables, the history git has that the store lacks, the spool, the
hooks, the worker's registry, and the last error in the log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hookwise.capture import registry
from hookwise.capture.events import list_spool
from hookwise.capture.hooklog import last_error
from hookwise.capture.locations import RepoPaths
from hookwise.capture.wake import worker_pid
from hookwise.errors import (
    DamagedTableError,
    GitError,
    MigrationNeededError,
    SchemaError,
    TableMissingError,
    VersionFileError,
)
from hookwise.git.runner import git
from hookwise.install.files import manifest_path
from hookwise.install.hooks import hook_status
from hookwise.store import schema
from hookwise.store.db import Store

# What --repair does for a table it cannot read, by where the table's rows come from.
TABLE_REPAIRS = {
    "git": "set it aside in .git/hookwise/damaged/ and read it again from git",
    "embedder": "set it aside in .git/hookwise/damaged/; the worker embeds the commits again",
    "user": (
        "set it aside in .git/hookwise/damaged/ (its rows exist nowhere else and are kept "
        "there) and start it empty"
    ),
}


@dataclass(frozen=True)
class Check:
    name: str  # store | schema | table:<name> | history | spool | corrupt | hooks | registry | log
    ok: bool
    detail: str  # what was found; when not ok, what to do
    repair: str | None = None  # what --repair would do; None when it cannot

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoreState:
    """What the store checks learnt, for the checks and the repair that follow."""

    present: bool = False
    version_damaged: bool = False
    newer: bool = False
    needs_migration: bool = False
    unreadable: tuple[str, ...] = ()  # tables missing or damaged
    commits: set[str] | None = None  # the shas the store holds, when it could read them


def check_store(paths: RepoPaths) -> tuple[list[Check], StoreState]:
    if not paths.store_dir.is_dir():
        return [
            Check(
                "store",
                False,
                f"there is no store in {paths.hookwise_dir}; run `hookwise init` (or "
                "`hookwise backfill`) to read the history into one",
                repair="read the history into a new store",
            )
        ], StoreState()
    checks: list[Check] = []
    version_damaged = needs_migration = False
    try:
        store = Store.open(paths, readonly=True)
    except VersionFileError as exc:
        version_damaged = True
        checks.append(Check("schema", False, str(exc), repair="write the version file again"))
        store = Store.open(paths, readonly=True, check_schema=False)
    except MigrationNeededError as exc:
        needs_migration = True
        checks.append(Check("schema", False, str(exc), repair="upgrade the store to this hookwise"))
        store = Store.open(paths, readonly=True, check_schema=False)
    except SchemaError as exc:  # written by a newer hookwise: nothing here may touch it
        return [Check("schema", False, str(exc))], StoreState(present=True, newer=True)
    else:
        checks.append(Check("schema", True, f"schema version {store.schema_version()}"))
    unreadable: list[str] = []
    for name, spec in schema.TABLES.items():
        try:
            rows = store.count(name)
        except (TableMissingError, DamagedTableError) as exc:
            unreadable.append(name)
            checks.append(Check(f"table:{name}", False, str(exc), TABLE_REPAIRS[spec.source]))
        else:
            checks.append(Check(f"table:{name}", True, f"{rows:,} rows"))
    commits = None if "commits" in unreadable else store.known_shas()
    state = StoreState(
        present=True,
        version_damaged=version_damaged,
        needs_migration=needs_migration,
        unreadable=tuple(unreadable),
        commits=commits,
    )
    return checks, state


def check_history(paths: RepoPaths, state: StoreState) -> list[Check]:
    """Commits of the local branches and HEAD that the store does not hold."""
    if state.commits is None:
        return []
    repo = paths.worktree or paths.common_dir
    try:
        out = git("rev-list", "--branches", "HEAD", "--", cwd=repo)
    except GitError:
        try:  # an unborn HEAD: the branches alone
            out = git("rev-list", "--branches", "--", cwd=repo)
        except GitError:
            return []
    missing = [sha for sha in out.decode().split() if sha not in state.commits]
    if not missing:
        return [Check("history", True, "every commit of the local branches is in the store")]
    return [
        Check(
            "history",
            False,
            f"{len(missing):,} commit{'s' if len(missing) != 1 else ''} of the local branches "
            f"{'are' if len(missing) != 1 else 'is'} not in the store; run `hookwise backfill`",
            repair="read them into the store",
        )
    ]


def check_spool(paths: RepoPaths) -> list[Check]:
    waiting = [f for f in list_spool(paths.spool_dir) if not f.path.name.startswith(".")]
    running = worker_pid() is not None
    checks: list[Check] = []
    if not waiting:
        checks.append(Check("spool", True, "no event waits to be stored"))
    elif running:
        checks.append(Check("spool", True, f"{_events(len(waiting))} wait; the worker runs"))
    else:
        checks.append(
            Check(
                "spool",
                False,
                f"{_events(len(waiting))} wait and no worker runs to store them; run "
                "`hookwise worker --once`",
                repair="store them now",
            )
        )
    corrupt = sorted(paths.corrupt_dir.iterdir()) if paths.corrupt_dir.is_dir() else []
    if corrupt:
        checks.append(
            Check(
                "corrupt",
                False,
                f"{_events(len(corrupt))} could not be read and were set aside in "
                f"{paths.corrupt_dir} (the reasons are in {paths.log_path}); inspect them, "
                "then delete them",
            )
        )
    return checks


def check_hooks(paths: RepoPaths) -> list[Check]:
    status = hook_status(paths)
    if status.capturing:
        how = sorted({"native" if h.native else "pre-commit" for h in status.hooks})
        return [Check("hooks", True, f"every hook type is captured ({', '.join(how)})")]
    missing = [h.name for h in status.hooks if not (h.native or h.pre_commit)]
    installed_before = manifest_path(paths).exists()
    return [
        Check(
            "hooks",
            False,
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not captured; run "
            "`hookwise install`",
            repair="install the hooks again" if installed_before else None,
        )
    ]


def check_registry(paths: RepoPaths) -> list[Check]:
    if not (paths.hookwise_dir / "registered").exists() and not manifest_path(paths).exists():
        return []  # never installed here: the worker need not know this store
    if paths.hookwise_dir.absolute() in registry.registered():
        return [Check("registry", True, "the worker knows this store")]
    return [
        Check(
            "registry",
            False,
            "the worker does not know this store, so it drains its spool only when a hook "
            "runs here; run `hookwise doctor --repair`",
            repair="register the store with the worker",
        )
    ]


def check_log(paths: RepoPaths, resolved: bool) -> list[Check]:
    line = last_error(paths.hookwise_dir)
    if line is None:
        return [Check("log", True, "no error logged")]
    if resolved:
        return [Check("log", True, f"last error, since resolved: {line}")]
    return [Check("log", False, f"last error: {line} (all of it in {paths.log_path})")]


def _events(n: int) -> str:
    return f"{n:,} spooled event{'' if n == 1 else 's'}"
