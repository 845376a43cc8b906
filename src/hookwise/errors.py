"""The exceptions hookwise raises on purpose.

Every message says what is wrong and what to do about it, in terms of
values rather than command-line flags (an MCP or HTTP caller passes no
flags); the CLI turns them into one line on stderr with exit code 1, or 2
for a ``UsageError`` (see ``hookwise.cli.errors``). Code decides by class,
never by searching a message.

    HookwiseError
    ├── NotARepositoryError     the path is not inside a git repository
    ├── GitError                a git command failed
    │   └── GitNotFoundError    git is not installed
    ├── StoreError              the store cannot be opened, read or written
    │   ├── SchemaError         the store was written by a newer hookwise
    │   │   └── MigrationNeededError  an older store, opened to read only, needs an upgrade
    │   ├── StoreMissingError   there is no store yet
    │   ├── StoreLockedError    another process holds the store's write lock
    │   ├── StoreReadOnlyError  the store cannot be written (read-only disk, permissions)
    │   ├── StoreFullError      the disk that holds the store is full
    │   ├── TableMissingError   one of the store's tables was deleted
    │   ├── DamagedTableError   one of the store's tables cannot be read
    │   └── VersionFileError    the store's schema version file cannot be read
    ├── SpoolError              a spooled event cannot be read
    │   ├── IncompleteEventError  an event without its end line (maybe still being written)
    │   └── OversizedEventError   a file in the spool larger than any event can be
    ├── WorkerError             the background worker cannot be started or reached
    ├── InstallError            hooks cannot be installed or uninstalled
    ├── ExtraMissingError       an optional extra is not installed
    ├── SettingsError           a HOOKWISE_* setting has a value hookwise cannot use
    ├── CheckOutputError        a checker's output is not in the format its parser reads
    ├── CheckerNotFoundError    the checker to run is not installed (or not on PATH)
    ├── CheckConfigError        the checks configured for ``hookwise check`` are not valid
    ├── AggregatorDatabaseError the aggregator's database cannot be reached or upgraded
    ├── SyncError               ``hookwise sync`` could not deliver what it built
    │   ├── AggregatorUnreachableError  no answer, or 5xx/429 after every retry (queued)
    │   ├── AggregatorRefusedError      a 4xx: the token, its scope or the payload
    │   └── AggregatorResponseError     an answer that is not what the API promises
    ├── SyncConfigError         the sync configuration is not valid (a token in the repository)
    └── UsageError              a value given by the caller is not valid
        └── WireFormatError     a sync payload field is not valid (names the field)
"""

from __future__ import annotations


class HookwiseError(Exception):
    """Base class: a handled error whose message tells the user what to do."""


class NotARepositoryError(HookwiseError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is not inside a git repository; run hookwise from a repository "
            "or name one as the repository to use"
        )
        self.path = path


class GitError(HookwiseError):
    pass


class GitNotFoundError(GitError):
    def __init__(self) -> None:
        super().__init__("git is not installed or not on PATH; install git and try again")


class StoreError(HookwiseError):
    pass


class SchemaError(StoreError):
    pass


class StoreMissingError(StoreError):
    def __init__(self, hookwise_dir: object) -> None:
        super().__init__(f"no hookwise store in {hookwise_dir}; run `hookwise init` first")


class StoreLockedError(StoreError):
    pass


class MigrationNeededError(SchemaError):
    def __init__(self, store_dir: object, version: int, current: int) -> None:
        super().__init__(
            f"the store at {store_dir} has schema {version} and this hookwise reads schema "
            f"{current}; it is upgraded by the next command that writes to it (such as "
            "`hookwise backfill`), which needs the store to be writable"
        )
        self.version = version


class StoreReadOnlyError(StoreError):
    def __init__(self, store_dir: object, reason: str) -> None:
        super().__init__(
            f"cannot write to the store at {store_dir} ({reason}); "
            "fix its permissions (it must be writable by you) and try again"
        )


class StoreFullError(StoreError):
    def __init__(self, store_dir: object) -> None:
        super().__init__(
            f"the disk that holds the store at {store_dir} is full; free some space "
            "on it and try again"
        )


class TableMissingError(StoreError):
    def __init__(self, table: str) -> None:
        super().__init__(
            f"the store's {table} table is missing; run `hookwise doctor --repair` "
            "to rebuild it from git"
        )
        self.table = table


class DamagedTableError(StoreError):
    def __init__(self, table: str) -> None:
        super().__init__(
            f"the store's {table} table is damaged and cannot be read; "
            "run `hookwise doctor --repair` to rebuild it from git"
        )
        self.table = table


class VersionFileError(StoreError):
    """The schema version file is unreadable; ``doctor --repair`` can write it again."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path} is damaged; run `hookwise doctor --repair` to check the tables and "
            "write it again"
        )


class SpoolError(HookwiseError):
    pass


class IncompleteEventError(SpoolError):
    """No ``end`` line: a hook may still be writing it, or a crash cut it short."""


class OversizedEventError(SpoolError):
    """Larger than ``hookwise.capture.events.MAX_EVENT_BYTES``: set aside unread."""


class WorkerError(HookwiseError):
    pass


class InstallError(HookwiseError):
    pass


class ExtraMissingError(HookwiseError):
    def __init__(self, extra: str, what: str, *, command: str | None = None) -> None:
        # ``command``: the exact install command, where the extra alone is not enough.
        command = command or f"pip install 'hookwise[{extra}]'"
        super().__init__(f"{what} needs the '{extra}' extra; install it with: {command}")
        self.extra = extra


class SettingsError(HookwiseError):
    pass


class CheckOutputError(HookwiseError):
    """The checker's own result stands; only its findings cannot be read."""

    def __init__(self, tool: str, problem: str, hint: str) -> None:
        super().__init__(f"{tool}'s output {problem}, so its findings were not read; {hint}")
        self.tool = tool


class CheckerNotFoundError(HookwiseError):
    """A shell would say ``command not found`` and exit 127; ``hookwise check`` does the same."""

    def __init__(self, program: str) -> None:
        super().__init__(f"{program}: command not found; install it, or check its name and PATH")
        self.program = program


class CheckConfigError(HookwiseError):
    """One line per problem (``problems``): the file, the key, what is wrong with it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


class AggregatorDatabaseError(HookwiseError):
    pass


class SyncError(HookwiseError):
    pass


class AggregatorUnreachableError(SyncError):
    """The aggregator did not answer, or answered 5xx/429 to every retry."""

    def __init__(self, url: str, reason: str, *, queued: str | None = None) -> None:
        # ``queued``: where what could not be sent now waits for the next sync.
        then = f"; {queued}" if queued else ""
        super().__init__(f"the aggregator at {url} cannot be reached ({reason}){then}")
        self.url = url
        self.reason = reason
        self.queued = queued


class AggregatorRefusedError(SyncError):
    """A 4xx: retrying the same request cannot help; ``status`` says which."""

    def __init__(self, url: str, status: int, detail: str) -> None:
        advice = {
            401: "the token is missing, unknown or revoked; create one with "
            "`hookwise serve token create` on the aggregator",
            403: "the token may not write this repository; use a token of its team "
            "(or one scoped to this repository)",
        }.get(status, "the aggregator rejected the payload")
        super().__init__(f"the aggregator at {url} answered {status}: {detail} ({advice})")
        self.url = url
        self.status = status
        self.detail = detail


class AggregatorResponseError(SyncError):
    """An answer that is not what the API promises (``hookwise sync --pull``'s export)."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(
            f"the aggregator at {url} answered with {problem}; check that the address is the "
            "aggregator's and that it runs a hookwise of the same API version (v1)"
        )
        self.url = url


class SyncConfigError(HookwiseError):
    pass


class UsageError(HookwiseError):
    pass


class WireFormatError(UsageError):
    """A field of a sync payload is not valid; ``field`` names it (``summaries[3].merges``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem
