"""The worker's table: ``suggest`` answered over the real socket by a real worker."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.record import record
from hookwise.git.repo import discover
from hookwise.search.state import VectorState, write_state
from hookwise.store.db import Store
from hookwise.worker.tasks import build
from tests.fixes.lines import FINDING, line, lines
from tests.gitrepo import GitRepo
from tests.waiting import wait_for


def test_the_table_serves_suggest_and_embeds_attempts_when_idle() -> None:
    tables = build()
    try:
        assert "suggest" in tables.handlers
        assert tables.suggest.embedders is tables.search.embedders
        wrapped = [getattr(task, "__wrapped__", None) for task in tables.idle_tasks]
        assert tables.suggest.when_idle in wrapped
    finally:
        tables.close()


def test_a_real_worker_answers_suggest(repo: GitRepo, state_dir: Path) -> None:
    from hookwise.capture import rpc

    repo.commit("first")
    store = Store.open(discover(repo.path))
    write_state(store.paths, VectorState("hashing", HashingEmbedder().id))
    record(store, lines(line(diff="-import os\n", time="2024-04-01T12:00:00Z")))
    args = {
        "hookwise_dir": str(store.paths.hookwise_dir),
        "findings": [{**FINDING, "path": "other.py", "fixable": True}],
        "limit": 3,
    }
    proc = subprocess.Popen([sys.executable, "-m", "hookwise", "worker", "--foreground"])
    try:
        wait_for(lambda: rpc.socket_path().exists())
        answer = rpc.call("suggest", args)
        [result] = answer["results"]
        assert result["finding"]["path"] == "other.py"
        strategies = [(s["strategy"], s["support"]) for s in result["suggestions"]]
        assert strategies == [("remove unused import", 1), ("ruff check --fix", 0)]
        bad = rpc.call("suggest", {**args, "findings": [{"tool": "ruff"}]})
        assert bad["kind"] == "UsageError"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_a_real_worker_under_a_deadline_answers_at_once_then_in_full(
    repo: GitRepo, state_dir: Path
) -> None:
    from hookwise.capture import rpc

    repo.commit("first")
    store = Store.open(discover(repo.path))
    write_state(store.paths, VectorState("hashing", HashingEmbedder().id))
    record(store, lines(line(diff="-import os\n", time="2024-04-01T12:00:00Z")))
    unseen = {**FINDING, "path": "other.py", "message": "`sys` imported but unused"}
    args = {"hookwise_dir": str(store.paths.hookwise_dir), "findings": [unseen], "limit": 3}
    proc = subprocess.Popen([sys.executable, "-m", "hookwise", "worker", "--foreground"])
    try:
        wait_for(lambda: rpc.socket_path().exists())
        # A worker that has not timed its model yet does not wait for it: the
        # finding is answered from its rule's attempts, and embedded after.
        [first] = rpc.call("suggest", {**args, "deadline_ms": 10})["results"]
        assert first["partial"] is True
        assert [s["strategy"] for s in first["suggestions"]] == ["remove unused import"]

        def full() -> bool:
            [again] = rpc.call("suggest", {**args, "deadline_ms": 10})["results"]
            return "partial" not in again

        wait_for(full)
        [later] = rpc.call("suggest", {**args, "deadline_ms": 10})["results"]
        assert later == rpc.call("suggest", args)["results"][0]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_a_real_worker_backfills_what_is_new(repo: GitRepo, state_dir: Path) -> None:
    from hookwise.capture import rpc
    from hookwise.history.backfill import backfill

    repo.commit("one")
    paths = discover(repo.path)
    backfill(paths)
    repo.git("checkout", "-q", "-b", "topic")
    topic = repo.commit("two", {"b.txt": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    args = {"hookwise_dir": str(paths.hookwise_dir), "worktree": str(repo.path)}
    proc = subprocess.Popen([sys.executable, "-m", "hookwise", "worker", "--foreground"])
    try:
        wait_for(lambda: rpc.socket_path().exists())
        answer = rpc.call("backfill", args)
        assert (answer["commits"], answer["merges"], answer["conflicted"]) == (2, 1, 0)
        assert answer["ref_events"] == 2  # to topic and back
        stored = Store.open(paths).read("commits", columns=["sha", "branch"]).to_pylist()
        assert {r["sha"]: r["branch"] for r in stored}[topic] == "topic"
        assert rpc.call("backfill", args)["commits"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
