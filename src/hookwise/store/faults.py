"""What a failed read or write of the store means, as hookwise's typed errors.

LanceDB reports a full disk, a read-only disk and a damaged manifest alike,
as a ``RuntimeError`` or ``OSError`` that carries no ``errno`` (its text is
the Rust error's). So the failure is not decided by its message but by the
state of the store it left behind: after a failed write, a disk with less
than ``FULL_MARGIN`` free is full, and a directory the OS says cannot be
written is read-only; after a failed read, a table whose ``.lance``
directory is gone is missing, and one whose directory is there but cannot
be opened or scanned is damaged. Anything else goes up as it came.

This module and ``hookwise.store.db`` are the only places that know
LanceDB's exceptions; everything above sees ``StoreError`` subclasses.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from hookwise.errors import (
    DamagedTableError,
    HookwiseError,
    StoreError,
    StoreFullError,
    StoreReadOnlyError,
    TableMissingError,
)

# A write that failed with less free space than this is taken to have failed
# for want of it. The store's ordinary writes (a batch of commits, of vectors)
# are far smaller; the margin is wide so that a compaction or an index build,
# which rewrite a whole table, is caught too.
FULL_MARGIN = 64 * 1024 * 1024

_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def free_bytes(directory: Path) -> int | None:
    """Bytes an unprivileged writer may still use on ``directory``'s disk (None: unknown)."""
    try:
        stat = os.statvfs(directory)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def _writable(directory: Path) -> bool:
    # access(2) answers EROFS for a read-only mount even to root.
    return os.access(directory, os.W_OK)


def write_failure(store_dir: Path, exc: BaseException) -> StoreError | None:
    """The typed error a failed write of the store means, or None if it is none of ours."""
    code = exc.errno if isinstance(exc, OSError) else None
    if code in _FULL:
        return StoreFullError(store_dir)
    if code in _READ_ONLY:
        return StoreReadOnlyError(store_dir, os.strerror(code) if code else str(exc))
    directory = store_dir if store_dir.exists() else store_dir.parent
    if not _writable(directory):
        return StoreReadOnlyError(store_dir, "it is read-only")
    free = free_bytes(directory)
    if free is not None and free < FULL_MARGIN:
        return StoreFullError(store_dir)
    return None


@contextlib.contextmanager
def writing(store_dir: Path) -> Iterator[None]:
    """Run a write of the store; a full or read-only disk becomes its typed error."""
    try:
        yield
    except HookwiseError:
        raise
    except (OSError, RuntimeError) as exc:
        error = write_failure(store_dir, exc)
        if error is None:
            raise
        raise error from exc


def read_failure(store_dir: Path, table: str) -> StoreError:
    """The typed error a failed open or scan of ``table`` means."""
    if not (store_dir / f"{table}.lance").is_dir():
        return TableMissingError(table)
    return DamagedTableError(table)


@contextlib.contextmanager
def reading(store_dir: Path, table: str) -> Iterator[None]:
    """Run a read of ``table``; a missing or damaged table becomes its typed error.

    LanceDB raises ``ValueError`` for a table it cannot find, and
    ``RuntimeError`` or ``OSError`` for a manifest or data file it cannot
    decode. A ``ValueError`` while the table's directory is there is a
    query LanceDB refused (a bad filter: a bug here), and goes up as it came.
    """
    try:
        yield
    except HookwiseError:
        raise
    except ValueError:
        if not (store_dir / f"{table}.lance").is_dir():
            raise TableMissingError(table) from None
        raise
    except (OSError, RuntimeError) as exc:
        raise read_failure(store_dir, table) from exc
