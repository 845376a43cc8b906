"""backfill, status, export and gc through the real console script: output and one-line errors."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from tests.cli.console import hookwise, one_line
from tests.gitrepo import GitRepo
from tests.waiting import wait_for


@pytest.mark.parametrize("command", ["backfill", "status", "export commits"])
def test_not_a_repository(tmp_path: Path, command: str) -> None:
    proc = hookwise(*command.split(), "--repo", str(tmp_path))
    assert proc.returncode == 1
    assert "is not inside a git repository" in one_line(proc)


def test_backfill_then_export_commits_and_ref_events(repo: GitRepo) -> None:
    first = repo.commit("feat: one", {"a.txt": "a\nb\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.git("checkout", "-q", "main")
    proc = hookwise("backfill", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(
        "backfilled 1 commit (0 merges, 0 with conflicts) and 2 branch events"
    )
    out = hookwise("export", "commits", "--format", "jsonl", "--repo", str(repo.path))
    assert out.returncode == 0, out.stderr
    [row] = [json.loads(line) for line in out.stdout.splitlines()]
    expected = {
        "sha",
        "parents",
        "is_merge",
        "had_conflicts",
        "rewritten",
        "author_email",
        "author_time",
        "committer_time",
        "subject",
        "files_changed",
        "insertions",
        "deletions",
        "source",
    }
    for key in expected:
        assert key in row
    assert row["sha"] == first
    assert (row["files_changed"], row["insertions"], row["deletions"]) == (1, 2, 0)
    assert "vector" not in row
    events = hookwise("export", "ref_events", "--repo", str(repo.path))
    switches = [json.loads(line) for line in events.stdout.splitlines()]
    assert [(e["kind"], e["from"], e["to"]) for e in switches] == [
        ("switch", "main", "topic"),
        ("switch", "topic", "main"),
    ]
    assert all(isinstance(e["time"], int) for e in switches)


def test_export_commits_with_vectors(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    first = repo.commit("fix: the cache crashes on a read-only disk", {"a.txt": "a\n"})
    second = repo.commit("docs: explain the fixtures", {"b.txt": "b\n"})
    assert hookwise("backfill", "--repo", str(repo.path)).returncode == 0
    reindex = hookwise("reindex", "--repo", str(repo.path))
    assert reindex.returncode == 0, reindex.stderr
    later = repo.commit("feat: a commit the worker has not embedded yet", {"c.txt": "c\n"})
    assert hookwise("backfill", "--repo", str(repo.path)).returncode == 0

    out = hookwise("export", "commits", "--vectors", "--repo", str(repo.path))
    assert out.returncode == 0, out.stderr
    rows = {row["sha"]: row for row in map(json.loads, out.stdout.splitlines())}
    assert set(rows) == {first, second, later}
    for sha in (first, second):
        assert rows[sha]["embedder"].startswith("hashing:")
        vector = np.array(rows[sha]["vector"])
        assert vector.shape == (384,)
        assert abs(np.linalg.norm(vector) - 1.0) < 1e-2  # stored as float16
    assert not np.allclose(rows[first]["vector"], rows[second]["vector"])
    assert rows[later]["embedder"] is None and rows[later]["vector"] is None
    plain = hookwise("export", "commits", "--repo", str(repo.path))
    assert all("vector" not in json.loads(line) for line in plain.stdout.splitlines())


def test_export_unknown_table(repo: GitRepo) -> None:
    repo.commit("one")
    proc = hookwise("export", "nonsense", "--repo", str(repo.path))
    assert proc.returncode == 2
    assert "unknown table 'nonsense'; choose one of: commits, ref_events" in one_line(proc)


def test_export_before_init_says_what_to_do(repo: GitRepo) -> None:
    repo.commit("one")
    proc = hookwise("export", "commits", "--repo", str(repo.path))
    assert proc.returncode == 1
    assert "run `hookwise init` first" in one_line(proc)


def test_store_directory_that_cannot_be_written(repo: GitRepo) -> None:
    repo.commit("one")
    paths = discover(repo.path)
    paths.hookwise_dir.mkdir()
    # Tests run as root, where permission bits stop nothing: a file where the
    # store directory should be is just as unwritable.
    paths.store_dir.write_text("in the way\n")
    proc = hookwise("backfill", "--repo", str(repo.path))
    assert proc.returncode == 1
    assert "cannot write to the store" in one_line(proc)
    assert paths.store_dir.read_text() == "in the way\n"


def test_status_json(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from hookwise.install.hooks import install

    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    install(discover(repo.path))
    repo.commit("one")
    repo.commit("two")
    proc = hookwise("status", "--json", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["spool_backlog"] == 2
    assert report["worker_running"] is False
    assert report["rows"] == {}
    drained = hookwise("worker", "--once", "--repo", str(repo.path))
    assert drained.returncode == 0, drained.stderr
    report = json.loads(hookwise("status", "--json", "--repo", str(repo.path)).stdout)
    assert report["spool_backlog"] == 0
    assert report["rows"]["commits"] == 2
    assert report["rows"]["ref_events"] == 0
    assert report["store_bytes"] > 0
    assert report["last_event_time"] is not None
    assert report["last_error"] is None
    text = hookwise("status", "--repo", str(repo.path))
    assert "spool backlog" in text.stdout


def test_gc_compacts(repo: GitRepo) -> None:
    repo.commit("one")
    assert hookwise("backfill", "--repo", str(repo.path)).returncode == 0
    proc = hookwise("gc", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("compacted:")


def test_status_says_a_damaged_table_and_what_to_do(repo: GitRepo) -> None:
    from tests.store.broken import damage

    repo.commit("one")
    assert hookwise("backfill", "-q", "--repo", str(repo.path)).returncode == 0
    damage(discover(repo.path), "commits")
    text = hookwise("status", "--repo", str(repo.path), COLUMNS="200").stdout
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "damaged" in rows["commits"]
    assert "doctor --repair" in rows["problem"]


def test_status_with_no_commits_does_not_claim_every_commit_has_a_vector(repo: GitRepo) -> None:
    from hookwise.store.db import Store

    Store.open(discover(repo.path))  # an empty store, as right after `hookwise install`
    text = hookwise("status", "--repo", str(repo.path), COLUMNS="200").stdout
    [embedder] = [line for line in text.splitlines() if line.startswith("embedder")]
    assert embedder.rstrip().endswith("no commits yet")
    assert "every commit has a vector" not in text


def test_status_says_when_the_last_error_was_resolved(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookwise.capture.hooklog import log_error
    from hookwise.install.hooks import install

    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    paths = discover(repo.path)
    install(paths)
    # An error long ago (a full disk, say), then capture that worked.
    log = paths.hookwise_dir / "log"
    log.write_text("2020-01-01T00:00:00+0000 hook post-commit: could not record the event\n")
    repo.commit("one")
    assert hookwise("worker", "--once", "--repo", str(repo.path)).returncode == 0
    report = json.loads(hookwise("status", "--json", "--repo", str(repo.path)).stdout)
    assert report["last_error"].startswith("2020-01-01T00:00:00+0000")
    assert report["last_error_resolved"] is True
    text = hookwise("status", "--repo", str(repo.path), COLUMNS="200").stdout
    assert "(resolved: events captured since were stored)" in text
    # A newer error is not resolved until capture works after it.
    log_error(paths.hookwise_dir, "hook post-commit: could not record the event")
    report = json.loads(hookwise("status", "--json", "--repo", str(repo.path)).stdout)
    assert report["last_error_resolved"] is False


def test_status_shows_the_maintenance_jobs(repo: GitRepo) -> None:
    from hookwise.store.db import Store
    from hookwise.worker.maintenance import compact_store

    repo.commit("one")
    assert hookwise("backfill", "-q", "--repo", str(repo.path)).returncode == 0
    text = hookwise("status", "--repo", str(repo.path), COLUMNS="200").stdout
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "not run yet" in rows["compaction"]
    assert "not run yet" in rows["retention"]

    assert compact_store(Store.open(discover(repo.path)))
    text = hookwise("status", "--repo", str(repo.path), COLUMNS="200").stdout
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "tables compacted" in rows["compaction"]
    assert "not run yet" in rows["reembedding"]
    report = json.loads(hookwise("status", "--json", "--repo", str(repo.path)).stdout)
    assert report["maintenance"]["compaction"]["did"]["tables"] >= 1
    assert report["maintenance"]["retention"]["last_run"] is None


#: ``hookwise backfill`` in a subprocess that says, on exit, which heavy modules it loaded.
BACKFILL_REPORTING_IMPORTS = """
import sys
from hookwise.cli import run
sys.argv = ["hookwise", "backfill", *sys.argv[1:]]
try:
    run()
except SystemExit as exc:
    heavy = "numpy pyarrow lancedb".split()
    print("exit", exc.code, *[name for name in heavy if name in sys.modules], file=sys.stderr)
"""


def _new_history(repo: GitRepo) -> None:
    """A first backfill, then what a pull brings: a branch, a merge, two switches."""
    repo.commit("feat: one", {"a.txt": "a\n"})
    assert hookwise("backfill", "--repo", str(repo.path)).returncode == 0
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("fix: two", {"b.txt": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("docs: three", {"c.txt": "c\n"})
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")


def _summary(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    return re.sub(r" in \d+\.\ds", " in N s", proc.stdout)


def _commits(path: Path) -> list[dict[str, object]]:
    out = hookwise("export", "commits", "--repo", str(path)).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    return sorted(({k: v for k, v in r.items() if k != "captured_at"} for r in rows), key=str)


def test_an_incremental_backfill_is_the_workers_and_prints_the_same(
    repo: GitRepo, tmp_path: Path
) -> None:
    from hookwise.capture import rpc

    _new_history(repo)
    twin = tmp_path / "twin"
    shutil.copytree(repo.path, twin, symlinks=True)
    worker = subprocess.Popen([sys.executable, "-m", "hookwise", "worker", "--foreground"])
    try:
        wait_for(lambda: rpc.socket_path().exists())
        proc = subprocess.run(
            [sys.executable, "-c", BACKFILL_REPORTING_IMPORTS, "--repo", str(repo.path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    # Stored, yet this process loaded none of the store's libraries: the worker ran it.
    assert proc.stderr.splitlines()[-1] == "exit 0"
    # The twin has no worker to ask (and may start none): it runs in its own process.
    here = hookwise(
        "backfill",
        "--repo",
        str(twin),
        HOOKWISE_STATE_DIR=str(tmp_path / "no-worker"),
        HOOKWISE_NO_WORKER="1",
    )
    assert _summary(proc) == _summary(here)
    assert (
        _summary(here)
        == "backfilled 3 commits (1 merge, 0 with conflicts) and 2 branch events in N s\n"
    )
    assert _commits(repo.path) == _commits(twin)


def test_a_worker_that_fails_is_asked_once_then_the_command_runs_here(
    repo: GitRepo, state_dir: Path
) -> None:
    from hookwise.capture import rpc

    _new_history(repo)
    asked: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    rpc.socket_path().parent.mkdir(parents=True, exist_ok=True)
    listener.bind(rpc.socket_file())
    listener.listen()

    def hang_up() -> None:
        # A worker that reads the question and dies before answering.
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                asked.append(conn.recv(65536))

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        proc = hookwise("backfill", "--repo", str(repo.path), HOOKWISE_NO_WORKER="1")
    finally:
        listener.close()
    assert _summary(proc).startswith("backfilled 3 commits (1 merge, 0 with conflicts)")
    assert [json.loads(a)["op"] for a in asked] == ["backfill"]
    assert len(_commits(repo.path)) == 4
