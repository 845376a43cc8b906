"""``pull``: a real aggregator on 127.0.0.1 (uvicorn), into a real repository's store.

Other repositories' patterns go in through the aggregator's own API; the
pull reads them back through the export, as ``hookwise sync --pull`` does.
What a real aggregator never sends (a pattern that is not valid, one of
this repository's own, a body that is no export) comes from a tiny HTTP
server on loopback: the seam for an aggregator that misbehaves.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the server extra")
pytest.importorskip("uvicorn", reason="needs the server extra")

import httpx
import uvicorn

from hookwise.errors import (
    AggregatorRefusedError,
    AggregatorResponseError,
    AggregatorUnreachableError,
    StoreMissingError,
    UsageError,
)
from hookwise.git.repo import discover
from hookwise.server import database, tokens
from hookwise.server.app import create_app
from hookwise.store.db import Store
from hookwise.store.patterns import read_patterns
from hookwise.sync.pull import pull
from tests.gitrepo import GitRepo
from tests.server.conftest import free_port
from tests.server.payloads import batch, day, pattern
from tests.waiting import wait_for


class Aggregator:
    """``hookwise serve``'s app on uvicorn in a thread, on a SQLite file."""

    def __init__(self, folder: Path) -> None:
        self.engine = database.engine_for(f"sqlite:///{folder / 'aggregator.db'}")
        database.upgrade(self.engine)
        self.token = tokens.create(self.engine, "core")
        self.url = f"http://127.0.0.1:{free_port()}"
        port = int(self.url.rsplit(":", 1)[1])
        config = uvicorn.Config(create_app(self.engine), host="127.0.0.1", port=port)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        wait_for(lambda: self.server.started)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.engine.dispose()

    def push(self, patterns: list[dict[str, Any]]) -> None:
        """Patterns sent by their repositories through the API, with a day of each."""
        repos = sorted({p["repo"] for p in patterns})
        sent = httpx.post(
            f"{self.url}/api/v1/summaries",
            json=batch([day(repo, "2026-11-01") for repo in repos], patterns),
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert sent.status_code == 200, sent.text


@pytest.fixture
def aggregator(tmp_path: Path) -> Iterator[Aggregator]:
    running = Aggregator(tmp_path)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def store(repo: GitRepo) -> Store:
    repo.commit("first")
    return Store.open(discover(repo.path))


def _stored(store: Store) -> dict[str, dict[str, Any]]:
    return {row["strategy"]: dict(row) for row in read_patterns(store)}


OTHERS = [
    pattern("api", "remove the import", 0.9, 10.0),
    pattern("web", "remove the import", 0.5, 10.0),
    pattern("web", "add to __all__", 0.8, 5.0),
    pattern("api", "add a type: ignore", 1.0, 3.0, tool="mypy", rule="import-untyped"),
]


def test_patterns_of_other_repositories_are_stored_and_this_ones_are_not(
    aggregator: Aggregator, repo: GitRepo, store: Store
) -> None:
    aggregator.push([*OTHERS, pattern("mine", "noqa it", 1.0, 50.0)])
    aggregator.push([pattern("mine", "remove the import", 0.0, 90.0)])

    report = pull(repo.path, aggregator.url, aggregator.token, repo="mine")

    stored = _stored(store)
    assert set(stored) == {"remove the import", "add to __all__", "add a type: ignore"}
    shared = stored["remove the import"]
    # pooled over api and web alone: this repository's 0 of 90 is its own memory's
    assert shared["repos"] == ["api", "web"]
    assert shared["success"] == pytest.approx(0.7)
    assert shared["support"] == pytest.approx(20.0)
    assert (shared["tool"], shared["rule"], shared["kind"]) == ("ruff", "F401", "delete")
    assert stored["add a type: ignore"]["rule"] == "import-untyped"
    assert (report.received, report.stored, report.skipped, report.removed) == (3, 3, 0, 0)
    assert report.aggregator_time is not None


def test_a_pull_again_replaces_the_table(
    aggregator: Aggregator, repo: GitRepo, store: Store
) -> None:
    aggregator.push(OTHERS)
    first = pull(repo.path, aggregator.url, aggregator.token, repo="mine")
    aggregator.push([pattern("web", "add to __all__", 1.0, 9.0), pattern("ci", "ignore", 1.0)])

    again = pull(repo.path, aggregator.url, aggregator.token, repo="mine")

    stored = _stored(store)
    assert len(read_patterns(store)) == len(stored) == first.stored + 1 == again.stored
    assert stored["add to __all__"]["success"] == 1.0  # updated, not stored twice
    assert stored["ignore"]["repos"] == ["ci"]


def test_without_a_pull_nothing_is_stored(store: Store) -> None:
    assert read_patterns(store) == []


def test_a_refused_token_changes_nothing(
    aggregator: Aggregator, repo: GitRepo, store: Store
) -> None:
    aggregator.push(OTHERS)
    pull(repo.path, aggregator.url, aggregator.token, repo="mine")
    before = _stored(store)

    with pytest.raises(AggregatorRefusedError, match="answered 401: the token is unknown"):
        pull(repo.path, aggregator.url, "hw_not-a-token", repo="mine")

    assert _stored(store) == before


def test_an_unreachable_aggregator_changes_nothing(
    aggregator: Aggregator, repo: GitRepo, store: Store
) -> None:
    aggregator.push(OTHERS)
    pull(repo.path, aggregator.url, aggregator.token)
    before = _stored(store)
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    with pytest.raises(AggregatorUnreachableError, match=r"cannot be reached \(.*refused"):
        pull(repo.path, nobody, aggregator.token)

    assert _stored(store) == before


def test_an_address_that_is_no_url_is_a_usage_error(repo: GitRepo, store: Store) -> None:
    with pytest.raises(UsageError, match="not an http:// or https:// URL"):
        pull(repo.path, "ftp://aggregator.example", "hw_x")


def test_a_repository_without_a_store_is_told_to_init(repo: GitRepo) -> None:
    repo.commit("first")
    with pytest.raises(StoreMissingError):
        pull(repo.path, "http://127.0.0.1:1", "hw_x")


# -- an aggregator that misbehaves ------------------------------------------------------


class Canned(ThreadingHTTPServer):
    """Answers every GET with ``status`` and ``body``, and remembers the paths asked."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = 200
        self.body = b""
        self.asked: list[str] = []
        self.headers_seen: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def export(self, patterns: list[Any], version: int = 1) -> None:
        self.body = json.dumps({"version": version, "patterns": patterns}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: Canned

    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        self.server.headers_seen.append(dict(self.headers))
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def canned() -> Iterator[Canned]:
    server = Canned()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def shared(strategy: str, repos: list[str], **fields: Any) -> dict[str, Any]:
    found = {
        "tool": "ruff",
        "rule": "F401",
        "signature": "`<name>` imported but unused",
        "strategy": strategy,
        "kind": "delete",
        "success": 0.75,
        "support": 8.0,
        "repos": repos,
    }
    found.update(fields)
    return found


def test_bad_patterns_are_skipped_and_counted_and_this_repositorys_own_left_out(
    canned: Canned, repo: GitRepo, store: Store
) -> None:
    canned.export(
        [
            shared("remove the import", ["api", "mine"]),
            shared("noqa it", ["mine"]),
            shared("add to __all__", ["web"], success=1.5),  # not a rate
            {"tool": "ruff"},  # not a pattern
            shared("sort imports", ["web"], colour="red"),  # a field the wire does not know
            shared("add to __all__", ["web"], success=0.9),
        ]
    )

    report = pull(repo.path, canned.url, "hw_token", repo="mine")

    assert (report.received, report.stored, report.skipped, report.own) == (6, 2, 3, 1)
    assert report.aggregator_time is not None  # http.server sends its Date too
    stored = _stored(store)
    assert set(stored) == {"remove the import", "add to __all__"}
    # pooled with this repository: its figures kept, labelled with the others only
    assert stored["remove the import"]["repos"] == ["api"]
    assert stored["remove the import"]["success"] == 0.75
    assert canned.asked == ["/api/v1/patterns/export?exclude_repo=mine"]
    assert canned.headers_seen[0]["Authorization"] == "Bearer hw_token"


def test_patterns_no_longer_sent_are_removed(canned: Canned, repo: GitRepo, store: Store) -> None:
    canned.export([shared("remove the import", ["api"]), shared("add to __all__", ["web"])])
    pull(repo.path, canned.url + "/", "hw_token")
    canned.export([shared("add to __all__", ["web", "ci"])])

    report = pull(repo.path, canned.url, "hw_token")

    assert (report.stored, report.removed) == (1, 1)
    assert _stored(store)["add to __all__"]["repos"] == ["web", "ci"]
    assert canned.asked[-1] == "/api/v1/patterns/export"  # no repository named: none left out


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (200, b"<html>a login page</html>", "a body that is not JSON"),
        (200, b'{"detail": "hello"}', "JSON that is not a pattern export"),
        (200, b'{"version": 2, "patterns": []}', "wire version 2, where this hookwise reads 1"),
        (500, b'{"detail": "database down"}', r"HTTP 500 \(database down\)"),
        (404, b"not found", r"HTTP 404 \(Not Found\)"),
    ],
)
def test_an_answer_that_is_no_export_changes_nothing(
    canned: Canned, repo: GitRepo, store: Store, status: int, body: bytes, problem: str
) -> None:
    canned.export([shared("remove the import", ["api"])])
    pull(repo.path, canned.url, "hw_token")
    canned.status, canned.body = status, body

    with pytest.raises(AggregatorResponseError, match=problem):
        pull(repo.path, canned.url, "hw_token")

    assert set(_stored(store)) == {"remove the import"}


def test_a_forbidden_answer_is_a_refused_token(canned: Canned, repo: GitRepo, store: Store) -> None:
    canned.status, canned.body = 403, b'{"detail": "this token cannot read team \'ops\'"}'
    refused = "answered 403: this token cannot read team 'ops'"
    with pytest.raises(AggregatorRefusedError, match=refused) as err:
        pull(repo.path, canned.url, "hw_token")
    assert err.value.status == 403
