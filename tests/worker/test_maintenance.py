"""The worker's maintenance jobs on real stores: what each does, and that an idle pass
over an unchanged store does nothing."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from hookwise.capture import registry
from hookwise.capture.locations import RepoPaths
from hookwise.embed.registry import EMBEDDERS, EmbedderOptions
from hookwise.embed.testing import FakeEmbedder
from hookwise.fixes.recommend import finding_text
from hookwise.fixes.record import record
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.history.status import maintenance_path, read_maintenance
from hookwise.search.state import VectorState, write_state
from hookwise.search.vectors import LOCK_FILE
from hookwise.store import schema
from hookwise.store import vectors as stored
from hookwise.store.db import Store, exclusive
from hookwise.store.fixes import (
    CheckRunRow,
    FindingRow,
    add_check_run,
    findings_of,
    fix_attempts_without_vector,
    set_finding_vectors,
    set_fix_attempt_vectors,
)
from hookwise.worker.loop import Worker
from hookwise.worker.maintenance import Maintenance, compact_store
from tests.fixes.lines import line, lines
from tests.gitrepo import GitRepo
from tests.worker.history import make_history

NOW = 1_800_000_000.0
DAY = 86_400


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def versions(store: Store) -> dict[str, int]:
    return {name: store.version(name) for name in schema.TABLES}


def check_run(run_id: str, time: float, findings: int) -> CheckRunRow:
    return CheckRunRow(
        id=run_id,
        tool="ruff",
        command=["ruff", "check"],
        exit_code=1,
        duration_ms=10,
        head=None,
        time=int(time),
        finding_count=findings,
    )


def finding(run_id: str, fingerprint: str, message: str = "`os` imported but unused") -> FindingRow:
    return FindingRow(
        run_id=run_id,
        tool="ruff",
        rule="F401",
        message=message,
        path="pkg/mod.py",
        line=1,
        fingerprint=fingerprint,
        snippet="import os",
        language="python",
        fixable=True,
        time=0,
    )


@pytest.fixture
def paths(repo: GitRepo) -> RepoPaths:
    make_history(repo, 12)
    found = discover(repo.path)
    backfill(found)
    return found


@pytest.fixture
def two_embedders(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeEmbedder, FakeEmbedder]:
    """An old and a new configuration of one embedder (``fake``): 8 and 16 dimensions,
    so their ids differ as a model change's do; the registry builds the new one."""
    old, new = FakeEmbedder(8), FakeEmbedder(16)

    def factory(options: EmbedderOptions) -> FakeEmbedder:
        return FakeEmbedder(16)

    monkeypatch.setitem(EMBEDDERS, "fake", factory)
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    return old, new


def test_an_idle_pass_over_an_unchanged_store_touches_nothing(
    paths: RepoPaths,
    monkeypatch: pytest.MonkeyPatch,
    two_embedders: tuple[FakeEmbedder, FakeEmbedder],
) -> None:
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", "0")  # the clock here is not git's
    _, new = two_embedders
    store = Store.open(paths)
    shas = sorted(store.known_shas())
    stored.write(store, new.id, shas, new.embed(shas))
    write_state(paths, VectorState("fake", new.id))
    add_check_run(store, check_run("recent", NOW - DAY, 1), [finding("recent", "a")])
    clock = Clock()
    maintenance = Maintenance(clock=clock)
    assert maintenance.when_idle(store)  # the first pass compacts what backfill wrote
    record = read_maintenance(paths)
    assert record["compaction"]["did"]["tables"] >= 1
    assert record["retention"]["did"] == {"runs_deleted": 0, "findings_deleted": 0}
    assert record["reembedding"]["did"] == {"commit_vectors": 0, "fix_attempts": 0, "findings": 0}
    before, written = versions(store), maintenance_path(paths).read_bytes()
    stamp = maintenance_path(paths).stat().st_mtime_ns

    clock.now += 7 * DAY  # long after every interval: still nothing changed
    assert not maintenance.when_idle(store)
    assert not Maintenance(clock=clock).when_idle(store)  # a restarted worker reads the record
    assert versions(store) == before
    assert maintenance_path(paths).read_bytes() == written
    assert maintenance_path(paths).stat().st_mtime_ns == stamp


def test_compaction_waits_for_a_change_and_for_its_interval(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_MAINTENANCE_MINUTES", "60")
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", "0")
    store = Store.open(paths)
    clock = Clock()
    maintenance = Maintenance(clock=clock)
    assert maintenance.compaction(store)
    for i in range(4):  # four small writes: four fragments of check_runs
        add_check_run(store, check_run(f"run-{i}", NOW, 0), [])
    clock.now += 30 * 60
    assert not maintenance.compaction(store)  # changed, but compacted half an hour ago
    assert store._table("check_runs").stats()["fragment_stats"]["num_fragments"] == 4

    clock.now += 31 * 60
    assert maintenance.compaction(store)
    assert store._table("check_runs").stats()["fragment_stats"]["num_fragments"] == 1
    assert len(store._table("check_runs").list_versions()) == 1
    entry = read_maintenance(paths)["compaction"]
    assert entry["at"] == int(clock.now)
    assert entry["did"]["tables"] == 1  # only the table that changed
    assert entry["did"]["fragments_removed"] == 3
    assert entry["did"]["versions_pruned"] >= 4


def test_retention_deletes_old_runs_and_their_findings_never_fix_attempts(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_CHECK_RUNS_DAYS", "30")
    store = Store.open(paths)
    for run_id, age in (("ancient", 400), ("old", 31), ("recent", 29)):
        add_check_run(
            store,
            check_run(run_id, NOW - age * DAY, 2),
            [finding(run_id, "a"), finding(run_id, "b")],
        )
    record(store, lines(line(time="2020-01-01T00:00:00Z")), now=NOW - 2000 * DAY)
    clock = Clock()
    maintenance = Maintenance(clock=clock)

    assert maintenance.retention(store)
    assert sorted(store.column("check_runs", "id").to_pylist()) == ["recent"]
    assert set(store.column("findings", "run_id").to_pylist()) == {"recent"}
    assert store.count("fix_attempts") == 1
    entry = read_maintenance(paths)["retention"]
    assert entry["did"] == {"runs_deleted": 2, "findings_deleted": 4}
    assert not maintenance.retention(store)  # nothing is old enough now

    clock.now += 2 * DAY  # "recent" is 31 days old now, with no write in between
    assert maintenance.retention(store)
    assert store.count("check_runs") == 0 and store.count("findings") == 0
    assert store.count("fix_attempts") == 1
    assert read_maintenance(paths)["retention"]["did"]["runs_deleted"] == 1


def test_retention_zero_keeps_check_runs_forever(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_CHECK_RUNS_DAYS", "0")
    store = Store.open(paths)
    add_check_run(store, check_run("ancient", NOW - 4000 * DAY, 1), [finding("ancient", "a")])
    assert not Maintenance(clock=Clock()).retention(store)
    assert store.count("check_runs") == 1 and store.count("findings") == 1


def test_stale_vectors_are_reembedded_with_the_active_embedder_in_bounded_batches(
    paths: RepoPaths,
    monkeypatch: pytest.MonkeyPatch,
    two_embedders: tuple[FakeEmbedder, FakeEmbedder],
) -> None:
    old, new = two_embedders
    monkeypatch.setenv("HOOKWISE_EMBED_BATCH", "5")
    store = Store.open(paths)
    shas = sorted(store.known_shas())
    stored.write(store, old.id, shas, old.embed(shas))
    add_check_run(
        store, check_run("r", NOW, 2), [finding("r", "a", "unused os"), finding("r", "b", "x")]
    )
    record(store, lines(line(), line(strategy="noqa")), now=NOW)
    set_finding_vectors(
        store, findings_of(store, "r"), old.id, stored.to_stored(old.embed(["a", "b"]))
    )
    attempts = fix_attempts_without_vector(store, new.id, 10)
    set_fix_attempt_vectors(store, attempts, old.id, stored.to_stored(old.embed(["a", "b"])))
    write_state(paths, VectorState("fake", new.id))  # what a reindex to the new one leaves

    maintenance = Maintenance(clock=Clock())
    rounds = 0
    while maintenance.reembedding(store):
        rounds += 1
    # 12 commits, 2 attempts and 2 findings, 5 a round.
    assert rounds == 4
    assert stored.count(store, old.id) == 0
    assert stored.shas(store, new.id) == set(shas)
    texts = {row["sha"]: row for row in store.read("commits").to_pylist()}
    assert len(texts) == 12
    for table in ("fix_attempts", "findings"):
        rows = store.read(table).to_pylist()
        assert {row["embedder"] for row in rows} == {new.id}
        for row in rows:
            expected = new.embed(
                [finding_text(row["tool"], row["rule"], row["message"], row["snippet"])]
            )
            np.testing.assert_allclose(
                np.asarray(row["vector"][:16], np.float32), expected[0], atol=2e-3
            )
    entry = read_maintenance(paths)["reembedding"]
    assert entry["did"] == {"commit_vectors": 12, "fix_attempts": 2, "findings": 2}
    before = versions(store)
    assert not maintenance.reembedding(store)
    assert versions(store) == before


def test_a_reindex_in_progress_is_left_alone(
    paths: RepoPaths, two_embedders: tuple[FakeEmbedder, FakeEmbedder]
) -> None:
    """Reindex writes the new embedder's rows before it switches: to the active
    embedder they look stale, and must not be touched while it holds the lock."""
    old, new = two_embedders
    store = Store.open(paths)
    shas = sorted(store.known_shas())
    stored.write(store, new.id, shas, new.embed(shas))
    stored.write(store, old.id, shas[:3], old.embed(shas[:3]))
    write_state(paths, VectorState("fake", new.id))
    with exclusive(paths.hookwise_dir / LOCK_FILE, timeout=1):
        assert not Maintenance(clock=Clock()).reembedding(store)
    assert stored.count(store, old.id) == 3


def test_the_worker_runs_maintenance_and_compacts_through_it(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real worker, its tables built by ``tasks.build``: an old run is deleted
    while it is idle, and its compaction at exit is recorded as the job's."""
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    monkeypatch.setenv("HOOKWISE_CHECK_RUNS_DAYS", "1")
    store = Store.open(paths)
    add_check_run(store, check_run("old", time.time() - 3 * DAY, 1), [finding("old", "a")])
    add_check_run(store, check_run("new", time.time(), 1), [finding("new", "a")])
    registry.register(paths.hookwise_dir)
    Worker(idle_seconds=0.5, poll_seconds=0.05).run()
    assert Store.open(paths).column("check_runs", "id").to_pylist() == ["new"]
    record = json.loads(maintenance_path(paths).read_text())
    assert record["retention"]["did"] == {"runs_deleted": 1, "findings_deleted": 1}
    assert record["compaction"]["did"]["tables"] >= 1


def test_the_loops_compaction_is_the_jobs(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker compacts every few batches outside the idle task: the job reads
    that from the record and does not compact the same versions again."""
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", "0")  # the clock here is not git's
    store = Store.open(paths)
    clock = Clock()
    maintenance = Maintenance(clock=clock)
    assert maintenance.compaction(store)
    add_check_run(store, check_run("run", NOW, 0), [])
    assert compact_store(store, now=NOW + 1)  # as Worker._compact does
    before = versions(store)
    clock.now += 7 * DAY
    assert not maintenance.compaction(store)
    assert versions(store) == before
    assert read_maintenance(paths)["compaction"]["did"]["tables"] == 1


def test_a_damaged_embedder_state_stops_no_other_job(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.search.state import state_path

    monkeypatch.setenv("HOOKWISE_CHECK_RUNS_DAYS", "1")
    state_path(paths).write_text("{not json\n")
    store = Store.open(paths)
    add_check_run(store, check_run("old", NOW - 2 * DAY, 0), [])
    assert Maintenance(clock=Clock()).when_idle(store)
    assert store.count("check_runs") == 0
    assert "reembedding" not in read_maintenance(paths)
