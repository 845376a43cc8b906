from __future__ import annotations

import json
from typing import Any

import pytest

from hookwise.errors import SchemaError, StoreError
from hookwise.git.repo import discover
from hookwise.records import CommitRecord
from hookwise.store import schema
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


def record(sha: str, **kw: Any) -> CommitRecord:
    base: dict[str, Any] = dict(
        sha=sha,
        parents=(),
        author_name="A",
        author_email="a@example.com",
        author_time=1,
        author_tz=0,
        committer_name="A",
        committer_email="a@example.com",
        committer_time=1,
        committer_tz=0,
        subject="feat: x",
        body="",
    )
    base.update(kw)
    return CommitRecord(**base)


def test_new_store_has_tables_and_version(repo: GitRepo) -> None:
    store = Store.open(discover(repo.path))
    assert store.schema_version() == schema.SCHEMA_VERSION
    assert store.count("commits") == store.count("ref_events") == 0


def test_insert_is_idempotent_and_update_replaces(repo: GitRepo) -> None:
    store = Store.open(discover(repo.path))
    store.insert_commits([record("a" * 40), record("b" * 40)])
    store.insert_commits([record("a" * 40, subject="changed")])
    assert store.count("commits") == 2
    assert store.commits_by_sha(["a" * 40]).column("subject").to_pylist() == ["feat: x"]
    store.insert_commits([record("a" * 40, subject="changed")], update=True)
    assert store.commits_by_sha(["a" * 40]).column("subject").to_pylist() == ["changed"]
    assert store.known_shas() == {"a" * 40, "b" * 40}


def test_a_newer_store_is_refused(repo: GitRepo) -> None:
    paths = discover(repo.path)
    Store.open(paths)
    (paths.store_dir / "hookwise-schema.json").write_text(json.dumps({"version": 99}))
    with pytest.raises(SchemaError, match="upgrade hookwise"):
        Store.open(paths)


def test_an_older_store_is_migrated(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = discover(repo.path)
    store = Store.open(paths)
    store.insert_commits([record("c" * 40)])
    ran: list[int] = []

    def add_column(db: Any) -> None:
        ran.append(1)
        table = db.open_table("commits")
        if "reviewed" not in table.schema.names:
            table.add_columns({"reviewed": "false"})

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, add_column)
    migrated = Store.open(paths)
    assert ran == [1]
    assert migrated.schema_version() == schema.SCHEMA_VERSION
    assert migrated.read("commits").column("reviewed").to_pylist() == [False]
    Store.open(paths)
    assert ran == [1]  # not again


def test_damaged_version_file(repo: GitRepo) -> None:
    paths = discover(repo.path)
    Store.open(paths)
    (paths.store_dir / "hookwise-schema.json").write_text("{not json")
    with pytest.raises(StoreError, match="damaged"):
        Store.open(paths)


def test_lock_times_out_with_advice(repo: GitRepo) -> None:
    store = Store.open(discover(repo.path))
    with (
        store.lock(),
        pytest.raises(StoreError, match="locked by another hookwise process"),
        store.lock(timeout=0.1),
    ):
        pass


def test_unknown_table(repo: GitRepo) -> None:
    store = Store.open(discover(repo.path))
    with pytest.raises(StoreError, match="unknown table 'fixes'"):
        store.count("fixes")


def test_optimize_keeps_rows(repo: GitRepo) -> None:
    from datetime import timedelta

    store = Store.open(discover(repo.path))
    for i in range(20):
        store.insert_commits([record(f"{i:040x}")])
    store.optimize(prune_older_than=timedelta(0))
    assert store.count("commits") == 20
    assert len(store._table("commits").list_versions()) <= 3


def test_a_read_only_open_writes_nothing_and_names_a_needed_migration(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.errors import MigrationNeededError, StoreMissingError

    paths = discover(repo.path)
    with pytest.raises(StoreMissingError):
        Store.open(paths, readonly=True)
    assert not paths.store_dir.exists()
    Store.open(paths).insert_commits([record("d" * 40)])
    before = sorted(p.relative_to(paths.store_dir) for p in paths.store_dir.rglob("*"))
    store = Store.open(paths, readonly=True)
    assert store.known_shas() == {"d" * 40}
    with pytest.raises(StoreError, match="opened to read only"):
        store.insert_commits([record("e" * 40)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with pytest.raises(MigrationNeededError, match="upgraded by the next command that writes"):
        Store.open(paths, readonly=True)
    assert sorted(p.relative_to(paths.store_dir) for p in paths.store_dir.rglob("*")) == before
