"""``hookwise.capture.ask``: the worker's answer, its errors, and nothing when none runs."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hookwise.capture import rpc
from hookwise.capture.ask import ask
from hookwise.errors import HookwiseError, UsageError


class Worker:
    """A stand-in worker: it answers each request with the next of ``replies``."""

    def __init__(self) -> None:
        self.replies: list[Any] = []
        self.asked: list[dict[str, Any]] = []


@contextlib.contextmanager
def listening(handle: Callable[[socket.socket], None]) -> Iterator[None]:
    """A stand-in worker on the real socket path, giving each connection to ``handle``."""
    Path(rpc.socket_file()).parent.mkdir(parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(rpc.socket_file())
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            handle(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown(socket.SHUT_RDWR)  # wakes the accept(); close() alone does not
        server.close()
        thread.join(5)


@pytest.fixture
def worker(isolated_env: Path) -> Iterator[Worker]:
    """A stand-in worker that answers each request with the next of its replies."""
    stand_in = Worker()

    def answer(conn: socket.socket) -> None:
        with conn:
            stand_in.asked.append(json.loads(conn.makefile().readline()))
            conn.sendall(json.dumps(stand_in.replies.pop(0)).encode() + b"\n")

    with listening(answer):
        yield stand_in


def test_the_answer_is_returned_and_the_repository_named(worker: Worker, tmp_path: Path) -> None:
    worker.replies.append({"ok": True, "result": {"hits": []}})
    assert ask("search", tmp_path, {"query": "x"}, timeout=5) == {"hits": []}
    [request] = worker.asked
    assert request == {"op": "search", "args": {"hookwise_dir": str(tmp_path), "query": "x"}}


@pytest.mark.parametrize(
    ("kind", "raised"), [("UsageError", UsageError), ("StoreError", HookwiseError)]
)
def test_an_error_answer_is_raised_as_its_kind(
    worker: Worker, tmp_path: Path, kind: str, raised: type[Exception]
) -> None:
    worker.replies.append({"ok": True, "result": {"error": "bad since", "kind": kind}})
    with pytest.raises(raised, match="bad since") as caught:
        ask("search", tmp_path, {}, timeout=5)
    assert (type(caught.value) is UsageError) == (kind == "UsageError")


def test_a_failing_worker_leaves_the_answer_to_the_caller(
    worker: Worker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    worker.replies.append({"ok": False, "error": "it broke"})
    assert ask("suggest", tmp_path, {}, timeout=5) is None


def test_without_a_worker_none_is_started_when_told_not_to(
    isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    assert ask("suggest", tmp_path, {}, timeout=5) is None
    assert not (isolated_env / "worker.pid").exists()


@pytest.fixture
def hung_worker(isolated_env: Path) -> Iterator[list[socket.socket]]:
    """A worker that takes every request and never answers (stuck on a long job)."""
    held: list[socket.socket] = []
    with listening(held.append):  # read nothing, answer nothing
        yield held
    for conn in held:
        conn.close()


def test_a_worker_that_timed_out_is_not_waited_for_twice_in_one_process(
    hung_worker: list[socket.socket], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hookwise search``'s light entry waited its 60 s for a hung worker, then handed
    over to the full command, which waited another 60 s before answering itself."""
    import time

    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    monkeypatch.setattr(rpc, "_unanswered", {})
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        rpc.call("search", {}, timeout=0.3)
    assert time.monotonic() - started >= 0.3

    started = time.monotonic()
    assert ask("search", tmp_path, {"query": "x"}, timeout=30) is None  # answers itself
    assert time.monotonic() - started < 1.0
    assert len(hung_worker) == 1  # the second question was never sent


def test_a_worker_that_timed_out_is_asked_again_after_a_while(
    hung_worker: list[socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived process (the MCP server) must not give up on its worker for good."""
    now = [1000.0]
    monkeypatch.setattr(rpc, "_unanswered", {})
    monkeypatch.setattr(rpc, "_now", lambda: now[0])
    with pytest.raises(TimeoutError):
        rpc.call("search", {}, timeout=0.2)
    now[0] += rpc.UNANSWERED_SECONDS - 1
    with pytest.raises(TimeoutError):
        rpc.call("search", {}, timeout=0.2)
    assert len(hung_worker) == 1
    now[0] += 2
    with pytest.raises(TimeoutError):
        rpc.call("search", {}, timeout=0.2)
    assert len(hung_worker) == 2
