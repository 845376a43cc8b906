"""Schema migrations: a store written by an older hookwise opens and is brought up to date."""

from __future__ import annotations

import json
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


def make_v1_store(paths: RepoPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store as hookwise 0.1 (schema 1) left it: two tables, version file 1."""
    with monkeypatch.context() as m:
        m.setattr(schema, "SCHEMA_VERSION", 1)
        m.setattr(schema, "TABLES", {name: schema.TABLES[name] for name in V1_TABLES})
        store = Store.open(paths)
        from hookwise.history.backfill import backfill

        backfill(paths)
        assert store.schema_version() == 1
    assert sorted(store._db.list_tables().tables) == sorted(V1_TABLES)


def test_a_v1_store_gets_the_search_tables(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    shas = [repo.commit(f"change {i}") for i in range(3)]
    paths = discover(repo.path)
    make_v1_store(paths, monkeypatch)

    store = Store.open(paths)

    assert store.schema_version() == 2
    assert json.loads((paths.store_dir / "hookwise-schema.json").read_text()) == {"version": 2}
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
    assert again.schema_version() == 2
    assert again.count("clicks") == 1
