"""Schema migrations: a store written by an older hookwise opens and is brought up to date."""

from __future__ import annotations

import json
import shutil
import threading
from typing import Any

import pyarrow as pa
import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.embed.testing import fake_embedder_factory
from hookwise.git.repo import discover
from hookwise.store import schema
from hookwise.store.db import Store
from tests.gitrepo import GitRepo

V1_TABLES = ("commits", "ref_events")


def make_old_store(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch, version: int, tables: tuple[str, ...]
) -> None:
    """A store as schema ``version`` left it: its ``tables``, history read in, that version file."""
    with monkeypatch.context() as m:
        m.setattr(schema, "SCHEMA_VERSION", version)
        m.setattr(schema, "TABLES", {name: schema.TABLES[name] for name in tables})
        store = Store.open(paths)
        from hookwise.history.backfill import backfill

        backfill(paths)
        assert store.schema_version() == version
    assert sorted(store._db.list_tables().tables) == sorted(tables)


def make_v1_store(paths: RepoPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store as hookwise 0.1 (schema 1) left it: two tables, version file 1."""
    make_old_store(paths, monkeypatch, 1, V1_TABLES)


def test_a_v1_store_gets_the_search_tables(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    shas = [repo.commit(f"change {i}") for i in range(3)]
    paths = discover(repo.path)
    make_v1_store(paths, monkeypatch)

    store = Store.open(paths)

    assert store.schema_version() == schema.SCHEMA_VERSION
    assert json.loads((paths.store_dir / "hookwise-schema.json").read_text()) == {
        "version": schema.SCHEMA_VERSION
    }
    assert {"commit_vectors", "clicks"} <= set(store._db.list_tables().tables)
    assert store.schema("commit_vectors") == schema.COMMIT_VECTORS
    assert store.schema("clicks") == schema.CLICKS
    assert sorted(store.known_shas()) == sorted(shas)  # nothing lost


def test_migrated_commits_wait_for_vectors_and_get_them(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.embed import EMBEDDERS
    from hookwise.search import vectors

    for i in range(3):
        repo.commit(f"change {i}")
    paths = discover(repo.path)
    make_v1_store(paths, monkeypatch)
    monkeypatch.setitem(EMBEDDERS, "fake", fake_embedder_factory())
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    store = Store.open(paths)
    assert vectors.waiting_count(store) == 3
    assert vectors.embed_waiting(store) == 3
    assert vectors.waiting_count(store) == 0


def test_the_migration_can_run_twice(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the migration and the version file runs it again."""
    repo.commit("one")
    paths = discover(repo.path)
    make_v1_store(paths, monkeypatch)
    store = Store.open(paths)
    db: Any = store._db
    store.add(
        "clicks",
        pa.Table.from_pylist(
            [{"id": "x", "query": "q", "sha": "a" * 40, "time": 1}],  # must survive a re-run
            schema=schema.CLICKS,
        ),
    )
    schema.MIGRATIONS[1](db)
    schema.MIGRATIONS[1](db)
    (paths.store_dir / "hookwise-schema.json").write_text(json.dumps({"version": 1}))
    again = Store.open(paths)
    assert again.schema_version() == schema.SCHEMA_VERSION
    assert again.count("clicks") == 1


V2_TABLES = ("commits", "ref_events", "commit_vectors", "clicks")
FIX_MEMORY_TABLES = ("check_runs", "findings", "fix_attempts")


def make_v2_store(paths: RepoPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store as schema 2 left it: the history and search tables, version file 2."""
    make_old_store(paths, monkeypatch, 2, V2_TABLES)


def test_a_v2_store_gets_the_fix_memory_tables_and_keeps_every_commit(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = [repo.commit(f"change {i}") for i in range(3)]
    paths = discover(repo.path)
    make_v2_store(paths, monkeypatch)

    store = Store.open(paths)

    assert store.schema_version() == schema.SCHEMA_VERSION
    for name in FIX_MEMORY_TABLES:
        assert store.schema(name) == schema.TABLES[name].schema
        assert store.count(name) == 0
    assert sorted(store.known_shas()) == sorted(shas)


def test_the_v2_migration_can_run_twice(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-run after attempts were recorded: they survive, nothing is made twice."""
    from hookwise.fixes.record import record
    from tests.fixes.lines import line, lines

    shas = [repo.commit(f"change {i}") for i in range(2)]
    paths = discover(repo.path)
    make_v2_store(paths, monkeypatch)
    store = Store.open(paths)
    assert record(store, lines(line())).recorded == 1
    schema.MIGRATIONS[2](store._db)
    (paths.store_dir / "hookwise-schema.json").write_text(json.dumps({"version": 2}))
    again = Store.open(paths)
    assert again.schema_version() == schema.SCHEMA_VERSION
    assert again.count("fix_attempts") == 1
    assert sorted(again.known_shas()) == sorted(shas)


V3_TABLES = V2_TABLES + FIX_MEMORY_TABLES


def test_a_v3_store_gets_the_patterns_table_and_keeps_its_fix_memory(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.fixes.record import record
    from tests.fixes.lines import line, lines

    shas = [repo.commit(f"change {i}") for i in range(2)]
    paths = discover(repo.path)
    make_old_store(paths, monkeypatch, 3, V3_TABLES)
    with monkeypatch.context() as m:
        m.setattr(schema, "SCHEMA_VERSION", 3)
        m.setattr(schema, "TABLES", {name: schema.TABLES[name] for name in V3_TABLES})
        assert record(Store.open(paths), lines(line())).recorded == 1

    store = Store.open(paths)

    assert store.schema_version() == 4
    assert store.schema("patterns") == schema.PATTERNS
    assert store.count("patterns") == 0
    assert store.count("fix_attempts") == 1
    assert sorted(store.known_shas()) == sorted(shas)
    schema.MIGRATIONS[3](store._db)  # a second run (a crash before the version file) is a no-op
    assert Store.open(paths).count("patterns") == 0


@pytest.mark.parametrize("start", ["v3", "new"])
def test_opens_at_once_from_many_threads_all_succeed(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """A worker's first request after an upgrade opened the store from two threads: one
    migrated it while the other, having listed the tables before, raised "Table 'patterns'
    already exists" (seen by ``bench/search_latency.py --command`` on a v3 store)."""
    repo.commit("change")
    paths = discover(repo.path)
    for attempt in range(4):
        if start == "v3":
            make_old_store(paths, monkeypatch, 3, V3_TABLES)
        errors: list[BaseException] = []
        ready = threading.Barrier(6)

        def open_it(ready: threading.Barrier, errors: list[BaseException]) -> None:
            ready.wait()
            try:
                Store.open(paths)
            except BaseException as exc:  # every failure is the finding
                errors.append(exc)

        threads = [threading.Thread(target=open_it, args=(ready, errors)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [], f"attempt {attempt}: {errors!r}"
        store = Store.open(paths)
        assert store.schema_version() == schema.SCHEMA_VERSION
        assert sorted(store._db.list_tables().tables) == sorted(schema.TABLES)
        shutil.rmtree(paths.store_dir)
