"""Opening the store, its lock, and the reads and writes every service shares.

Only ``hookwise.store`` holds LanceDB tables: the rest of hookwise reads and
writes through ``Store`` (Arrow tables in, Arrow tables out) and, for the
commit vectors and the full-text index, through ``hookwise.store.vectors``
and ``hookwise.store.text``, which reach the raw table by ``Store._table``.

A store opened with ``readonly`` only reads: no write probe, no table
created, no migration run, so ``status``, ``export``, ``metrics`` and the
other read commands work on a read-only disk. Failures are typed where they
happen (``hookwise.store.faults``): a full or read-only disk on a write, a
missing or damaged table on a read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from hookwise.capture.locations import RepoPaths
from hookwise.errors import (
    MigrationNeededError,
    SchemaError,
    StoreError,
    StoreLockedError,
    StoreMissingError,
    VersionFileError,
)
from hookwise.records import CommitRecord, RefEvent
from hookwise.store import schema
from hookwise.store.faults import reading, write_failure, writing

VERSION_FILE = "hookwise-schema.json"


@contextlib.contextmanager
def exclusive(lock_path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path``; wait at most ``timeout``."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreLockedError(
                        f"the store is locked by another hookwise process ({lock_path}); "
                        "wait for it to finish, or stop it with `hookwise worker --stop`"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def sql_string(value: str) -> str:
    """``value`` as a string literal in a LanceDB filter."""
    return "'" + value.replace("'", "''") + "'"


def _quote(values: Iterable[str]) -> str:
    return ", ".join(sql_string(v) for v in values)


class Store:
    """The LanceDB tables of one repository."""

    def __init__(
        self, paths: RepoPaths, db: Any, *, cannot_write: StoreError | None = None
    ) -> None:
        self.paths = paths
        self._db = db
        self._tables: dict[str, Any] = {}
        # Why this store must not be written (opened to read only, or on a
        # disk that refused the write probe); None when it may be.
        self._cannot_write = cannot_write

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(
        cls,
        paths: RepoPaths,
        *,
        create: bool = True,
        readonly: bool = False,
        check_schema: bool = True,
    ) -> Store:
        """The store of ``paths``.

        ``create``: make the store when there is none (else ``StoreMissingError``).
        ``readonly``: only read; nothing is written, not even a probe, and a
        store that needs a migration raises ``MigrationNeededError``. Without
        it an existing store (``create`` False) that cannot be written is
        opened to read as well, and its first write raises the reason.
        ``check_schema`` False (with ``readonly``): open the tables whatever
        the version file says, for ``hookwise doctor`` to look at them.
        """
        store_dir = paths.store_dir
        if not store_dir.exists() and (readonly or not create):
            raise StoreMissingError(paths.hookwise_dir)
        cannot_write: StoreError | None = None
        if readonly:
            cannot_write = StoreError(f"the store at {store_dir} was opened to read only")
        else:
            try:
                store_dir.mkdir(parents=True, exist_ok=True)
                # One probe per opener: two opening at once must not remove each other's.
                probe = store_dir / f".write-test-{os.getpid()}-{threading.get_ident()}"
                probe.touch()
                probe.unlink()
            except OSError as exc:
                error = write_failure(store_dir, exc) or StoreError(
                    f"cannot write to the store at {store_dir} ({exc.strerror}); "
                    "fix its permissions (it must be writable by you) and try again"
                )
                if create:
                    raise error from exc
                cannot_write = error
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import lancedb

        # Always read the latest version: the worker and a CLI backfill write
        # the same tables from different processes.
        db = lancedb.connect(str(store_dir), read_consistency_interval=timedelta(0))
        store = cls(paths, db, cannot_write=cannot_write)
        if cannot_write is None:
            store._ensure_schema()
        elif check_schema:
            store._check_schema()
        return store

    def _version_path(self) -> Path:
        return self.paths.store_dir / VERSION_FILE

    def schema_version(self) -> int:
        try:
            return int(json.loads(self._version_path().read_text())["version"])
        except FileNotFoundError:
            return 0
        except (ValueError, KeyError, TypeError) as exc:
            raise VersionFileError(self._version_path()) from exc

    def _refuse_newer(self, version: int) -> None:
        if version > schema.SCHEMA_VERSION:
            raise SchemaError(
                f"this store was written by a newer hookwise (schema {version}, this one "
                f"knows {schema.SCHEMA_VERSION}); upgrade hookwise: pip install -U hookwise"
            )

    def _check_schema(self) -> None:
        """What ``_ensure_schema`` checks, for a store that must not be written."""
        version = self.schema_version()
        self._refuse_newer(version)
        # A store without a version file was made by this hookwise's first
        # open, which writes the file after its tables: it is current.
        if 0 < version < schema.SCHEMA_VERSION:
            raise MigrationNeededError(self.paths.store_dir, version, schema.SCHEMA_VERSION)

    def _ensure_schema(self) -> None:
        version = self.schema_version()
        self._refuse_newer(version)
        with writing(self.paths.store_dir):
            if version == schema.SCHEMA_VERSION and set(schema.TABLES) <= set(
                self._db.list_tables().tables
            ):
                return  # current: nothing to create, no lock to take
            # Openers at once (the worker's threads, a CLI beside it) take turns, so
            # that a migration runs once and no one creates a table another just made.
            with exclusive(self.paths.hookwise_dir / "schema.lock", timeout=120.0):
                self._create_and_migrate()

    def _create_and_migrate(self) -> None:
        version = self.schema_version()
        self._refuse_newer(version)
        with writing(self.paths.store_dir):
            existing = set(self._db.list_tables().tables)
            for spec in schema.TABLES.values():
                if spec.name not in existing:
                    self._db.create_table(spec.name, schema=spec.schema, exist_ok=True)
            if version == 0:
                version = schema.SCHEMA_VERSION  # a new store starts at the current version
            while version < schema.SCHEMA_VERSION:
                schema.MIGRATIONS[version](self._db)
                version += 1
                self._write_version(version)
            if self.schema_version() != version:
                self._write_version(version)

    def _write_version(self, version: int) -> None:
        tmp = self._version_path().with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": version}) + "\n")
        tmp.replace(self._version_path())

    def _table(self, name: str) -> Any:
        """The open LanceDB table ``name`` (for ``hookwise.store`` modules only)."""
        if name not in schema.TABLES:
            known = ", ".join(schema.TABLES)
            raise StoreError(f"unknown table {name!r}; the tables are: {known}")
        if name not in self._tables:
            with reading(self.paths.store_dir, name):
                self._tables[name] = self._db.open_table(name)
        return self._tables[name]

    def reading(self, name: str) -> contextlib.AbstractContextManager[None]:
        """Around a read of table ``name``: a missing or damaged table raises its typed error."""
        return reading(self.paths.store_dir, name)

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Around a write: refused when the store must not be written, and a full or
        read-only disk raises its typed error."""
        if self._cannot_write is not None:
            raise self._cannot_write.with_traceback(None)
        return writing(self.paths.store_dir)

    def lock(self, timeout: float = 30.0) -> contextlib.AbstractContextManager[None]:
        """The store's write lock: one writer (worker or backfill) at a time."""
        return exclusive(self.paths.hookwise_dir / "store.lock", timeout)

    # -- reads -------------------------------------------------------------

    def count(self, name: str, where: str | None = None) -> int:
        """How many rows of table ``name`` there are (that match ``where``)."""
        with self.reading(name):
            return int(self._table(name).count_rows(where))

    def version(self, name: str) -> int:
        """The version of table ``name``: it changes with every write, from any process."""
        with self.reading(name):
            return int(self._table(name).version)

    def schema(self, name: str) -> pa.Schema:
        """The schema table ``name`` has on disk."""
        with self.reading(name):
            live: pa.Schema = self._table(name).schema
        return live

    def column(self, name: str, column: str) -> pa.ChunkedArray:
        with self.reading(name):
            tbl = self._table(name).search().select([column]).limit(None).to_arrow()
        return tbl.column(column)

    def known_shas(self) -> set[str]:
        return set(self.column("commits", "sha").to_pylist())

    def known_ids(self, name: str = "ref_events") -> set[str]:
        [key] = schema.TABLES[name].key
        return set(self.column(name, key).to_pylist())

    def _query(self, name: str, where: str | None, columns: list[str] | None) -> Any:
        query = self._table(name).search()
        if where:
            query = query.where(where)
        if columns:
            query = query.select(columns)
        return query.limit(None)

    def read(
        self, name: str, where: str | None = None, columns: list[str] | None = None
    ) -> pa.Table:
        with self.reading(name):
            result: pa.Table = self._query(name, where, columns).to_arrow()
        return result

    def read_batches(
        self,
        name: str,
        where: str | None = None,
        columns: list[str] | None = None,
        batch_size: int = 8192,
    ) -> Iterator[pa.RecordBatch]:
        """Like ``read``, a batch at a time: memory for one batch, not the table."""
        with self.reading(name):
            yield from self._query(name, where, columns).to_batches(batch_size)

    def commits_by_sha(self, shas: Iterable[str]) -> pa.Table:
        shas = list(shas)
        if not shas:
            return schema.COMMITS.empty_table()
        return self.read("commits", f"sha IN ({_quote(shas)})")

    def size_bytes(self) -> int:
        total = 0
        for root, _, files in os.walk(self.paths.store_dir):
            for f in files:
                with contextlib.suppress(OSError):
                    total += (Path(root) / f).stat().st_size
        return total

    # -- writes (callers hold ``lock()``) ------------------------------------

    def add(self, name: str, rows: pa.Table) -> None:
        """Append ``rows`` to table ``name`` as they are (no key is checked)."""
        with self.writing():
            self._table(name).add(rows)

    def delete(self, name: str, where: str) -> None:
        """Delete the rows of table ``name`` that match ``where``."""
        with self.writing():
            self._table(name).delete(where)

    def upsert(
        self, name: str, data: pa.Table, *, update: bool, null_vectors: bool = False
    ) -> None:
        """Insert the rows of ``data`` whose key (``TableSpec.key``) is new; with
        ``update``, replace the rows whose key is already there too.

        ``null_vectors``: rows may come without their vector yet (findings and
        fix attempts, embedded later); LanceDB refuses a null vector unless told.
        """
        if data.num_rows == 0:
            return
        with self.writing():
            merge = self._table(name).merge_insert(list(schema.TABLES[name].key))
            if update:
                merge = merge.when_matched_update_all()
            bad_vectors = "null" if null_vectors else "error"
            merge.when_not_matched_insert_all().execute(data, on_bad_vectors=bad_vectors)

    def insert_commits(self, records: Iterable[CommitRecord], *, update: bool = False) -> None:
        """Insert commits that are not stored yet (``update``: replace those that are)."""
        self.upsert("commits", schema.commits_to_arrow(records), update=update)

    def upsert_commit_rows(self, rows: pa.Table) -> None:
        self.upsert("commits", rows.cast(schema.COMMITS), update=True)

    def insert_ref_events(self, events: Iterable[RefEvent]) -> None:
        self.upsert("ref_events", schema.ref_events_to_arrow(events), update=False)

    def optimize(self, *, prune_older_than: timedelta | None = None) -> None:
        """Compact small fragments (and drop versions older than ``prune_older_than``)."""
        for name in schema.TABLES:
            self.compact_table(name, prune_older_than=prune_older_than)

    def compact_table(
        self, name: str, *, prune_older_than: timedelta | None = None
    ) -> dict[str, int]:
        """``optimize`` for table ``name`` alone, and what it did: fragments and
        versions before and after (``hookwise.worker.maintenance`` records them)."""
        with self.writing(), warnings.catch_warnings():
            # lancedb warns that pruning everything breaks concurrent readers;
            # writers hold the store lock, and readers retry on the next version.
            warnings.filterwarnings("ignore", message=r"optimize\(cleanup_older_than=0\)")
            table = self._table(name)
            before = (table.stats()["fragment_stats"]["num_fragments"], len(table.list_versions()))
            table.optimize(cleanup_older_than=prune_older_than)
            after = (table.stats()["fragment_stats"]["num_fragments"], len(table.list_versions()))
        return {
            "fragments_before": int(before[0]),
            "fragments_after": int(after[0]),
            "versions_before": int(before[1]),
            "versions_after": int(after[1]),
        }
