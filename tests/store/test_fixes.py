"""Typed access to check runs and their findings, and suggest's readers of fix attempts;
the rest of fix attempts is tested in tests/fixes."""

from __future__ import annotations

from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.record import record
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import (
    ROW_ID,
    CheckRunRow,
    FindingRow,
    add_check_run,
    check_runs,
    earlier_check_runs,
    findings_of,
    findings_of_runs,
    fix_attempt_examples,
    fix_attempts_without_vector,
    ranking_batches,
    set_fix_attempt_vectors,
)
from hookwise.store.vectors import to_stored
from tests.fixes.lines import line, lines
from tests.gitrepo import GitRepo


def run(run_id: str, time: int, findings: int) -> CheckRunRow:
    return CheckRunRow(
        id=run_id,
        tool="ruff",
        command=["ruff", "check", "--output-format", "json", "my dir"],
        exit_code=1,
        duration_ms=42,
        head="a" * 40,
        time=time,
        finding_count=findings,
    )


def finding(run_id: str, line: int, fingerprint: str) -> FindingRow:
    return FindingRow(
        run_id=run_id,
        tool="ruff",
        rule="F401",
        message="`os` imported but unused",
        path="pkg/mod.py",
        line=line,
        fingerprint=fingerprint,
        snippet="import os",
        language="python",
        fixable=True,
        time=100,
    )


def test_a_run_and_its_findings_come_back_as_stored(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    found = [finding("r1", 9, "f2"), finding("r1", 1, "f1")]
    add_check_run(store, run("r1", 100, 2), found)
    add_check_run(store, run("r2", 200, 0), [])
    add_check_run(store, run("r1", 100, 2), found)  # the same run again: kept once
    assert [r["id"] for r in check_runs(store)] == ["r2", "r1"]
    assert check_runs(store)[1] == run("r1", 100, 2)
    assert findings_of(store, "r1") == [found[1], found[0]]  # file order
    assert findings_of(store, "r2") == []
    assert check_runs(store, tool="mypy") == []
    assert store.read("findings", columns=["vector"]).column("vector").null_count == 2


def test_earlier_runs_are_older_or_stored_before_in_the_same_second(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    # Stored in this order; ids sort the other way, so only the order stored can tell.
    for run_id, time in (("z-old", 100), ("y-same", 200), ("x-mine", 200), ("w-after", 200)):
        add_check_run(store, run(run_id, time, 0), [])
    add_check_run(store, {**run("v-mypy", 150, 0), "tool": "mypy"}, [])
    earlier = earlier_check_runs(store, run("x-mine", 200, 0), limit=10)
    assert [r["id"] for r in earlier] == ["y-same", "z-old"]
    assert [r["id"] for r in earlier_check_runs(store, run("x-mine", 200, 0), limit=1)] == [
        "y-same"
    ]
    unstored = earlier_check_runs(store, run("new", 200, 0), limit=10)
    assert [r["id"] for r in unstored] == ["w-after", "x-mine", "y-same", "z-old"]
    with store.lock():
        store.optimize()  # compaction rewrites the table: the order stored stays
    assert earlier_check_runs(store, run("new", 200, 0), limit=10) == unstored


def test_findings_of_several_runs_in_one_read(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    add_check_run(store, run("r1", 100, 2), [finding("r1", 9, "f2"), finding("r1", 1, "f1")])
    add_check_run(store, run("r2", 200, 1), [finding("r2", 3, "f3")])
    found = findings_of_runs(store, ["r1", "r2", "r3"])
    assert found == {
        "r1": [finding("r1", 1, "f1"), finding("r1", 9, "f2")],
        "r2": [finding("r2", 3, "f3")],
        "r3": [],
    }
    assert findings_of_runs(store, []) == {}


def test_examples_are_taken_by_address_and_found_by_id_once_moved(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    recorded = record(
        store,
        lines(
            line(diff="-import os", commit="c" * 40, time="2024-04-01T12:00:00Z"),
            line(strategy="noqa", time="2024-04-02T12:00:00Z"),
        ),
        now=1_714_572_000,
    )
    assert recorded.bad == ()
    rows = [row for batch in ranking_batches(store) for row in batch.to_pylist()]
    ids, addresses = [r["id"] for r in rows], [r[ROW_ID] for r in rows]
    expected = {r["id"]: (r["commit"], r["diff"]) for r in rows}
    assert ("c" * 40, "-import os") in expected.values()
    assert fix_attempt_examples(store, addresses, ids) == expected
    # Storing vectors rewrites the rows: the addresses read before are stale.
    waiting = fix_attempts_without_vector(store, "hashing", 10)
    embedder = HashingEmbedder()
    set_fix_attempt_vectors(store, waiting, embedder.id, to_stored(embedder.embed(["a", "b"])))
    moved = [r[ROW_ID] for batch in ranking_batches(store) for r in batch.to_pylist()]
    assert set(moved).isdisjoint(addresses)
    assert fix_attempt_examples(store, addresses, ids) == expected
    assert fix_attempt_examples(store, [-1, -1], ids) == expected  # no address known
    assert fix_attempt_examples(store, [], []) == {}


def test_the_newest_attempts_without_a_vector_come_whole(repo: GitRepo) -> None:
    repo.commit("first")
    store = Store.open(discover(repo.path))
    recorded = record(
        store,
        lines(*(line(strategy=f"s{day}", time=f"2024-04-0{day}T12:00:00Z") for day in (3, 1, 2))),
        now=1_714_572_000,
    )
    assert recorded.bad == ()
    newest = fix_attempts_without_vector(store, "hashing", 2)
    assert [row["strategy"] for row in newest] == ["s3", "s2"]
    assert all(row["message"] == "`os` imported but unused" for row in newest)
    embedder = HashingEmbedder()
    set_fix_attempt_vectors(store, newest, "hashing", to_stored(embedder.embed(["a", "b"])))
    assert [row["strategy"] for row in fix_attempts_without_vector(store, "hashing", 2)] == ["s1"]


def test_retention_deletes_exactly_the_old_runs_with_their_findings(repo: GitRepo) -> None:
    from hookwise.store.upkeep import delete_check_runs_before, oldest_check_run

    repo.commit("first")
    store = Store.open(discover(repo.path))
    assert oldest_check_run(store) is None
    for run_id, time in (("old-1", 100), ("old-2", 199), ("new", 200)):
        add_check_run(
            store, run(run_id, time, 2), [finding(run_id, 1, "a"), finding(run_id, 2, "b")]
        )
    record(store, lines(line(time="1970-01-01T00:00:10Z")), now=50)
    assert oldest_check_run(store) == 100

    assert delete_check_runs_before(store, 200, limit=1) == (1, 2)  # bounded: one run
    assert delete_check_runs_before(store, 200) == (1, 2)
    assert delete_check_runs_before(store, 200) == (0, 0)
    assert [r["id"] for r in check_runs(store)] == ["new"]
    assert {r["run_id"] for r in store.read("findings").to_pylist()} == {"new"}
    assert store.count("fix_attempts") == 1  # older than every run, and kept
    assert oldest_check_run(store) == 200


def test_stale_vectors_are_the_other_embedders_never_the_unembedded(repo: GitRepo) -> None:
    from hookwise.embed.testing import FakeEmbedder
    from hookwise.store.fixes import set_finding_vectors
    from hookwise.store.upkeep import stale_findings, stale_fix_attempts, stale_vector_count

    repo.commit("first")
    store = Store.open(discover(repo.path))
    add_check_run(store, run("r", 100, 2), [finding("r", 1, "a"), finding("r", 2, "b")])
    record(store, lines(line(), line(strategy="noqa")), now=100)
    old, new = FakeEmbedder(8), FakeEmbedder(16)
    [one_finding, _] = findings_of(store, "r")
    set_finding_vectors(store, [one_finding], old.id, to_stored(old.embed(["x"])))
    [attempt, _] = fix_attempts_without_vector(store, new.id, 10)
    set_fix_attempt_vectors(store, [attempt], old.id, to_stored(old.embed(["x"])))

    assert stale_vector_count(store, "findings", new.id) == 1
    assert stale_vector_count(store, "fix_attempts", new.id) == 1
    assert stale_vector_count(store, "findings", old.id) == 0
    assert [r["fingerprint"] for r in stale_findings(store, new.id, 10)] == ["a"]
    assert [r["id"] for r in stale_fix_attempts(store, new.id, 10)] == [attempt["id"]]
