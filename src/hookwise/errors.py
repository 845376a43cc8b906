"""The exceptions hookwise raises on purpose.

Every message says what is wrong and what to do about it; the CLI turns them
into one line on stderr and exit code 1 (see ``cli.main``).

    HookwiseError
    ├── NotARepositoryError     the path is not inside a git repository
    ├── GitError                a git command failed
    ├── StoreError              the store cannot be opened, read or written
    │   └── SchemaError         the store was written by a newer hookwise
    ├── SpoolError              a spooled event cannot be read
    ├── WorkerError             the background worker cannot be started or reached
    ├── InstallError            hooks cannot be installed or uninstalled
    ├── ExtraMissingError       an optional extra is not installed
    └── UsageError              a value given by the user is not valid
"""

from __future__ import annotations


class HookwiseError(Exception):
    """Base class: a handled error whose message tells the user what to do."""


class NotARepositoryError(HookwiseError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is not inside a git repository; run hookwise from a repository "
            "or pass --repo PATH"
        )


class GitError(HookwiseError):
    pass


class StoreError(HookwiseError):
    pass


class SchemaError(StoreError):
    pass


class SpoolError(HookwiseError):
    pass


class WorkerError(HookwiseError):
    pass


class InstallError(HookwiseError):
    pass


class ExtraMissingError(HookwiseError):
    def __init__(self, extra: str, what: str) -> None:
        super().__init__(
            f"{what} needs the '{extra}' extra; install it with: pip install 'hookwise[{extra}]'"
        )


class UsageError(HookwiseError):
    pass
