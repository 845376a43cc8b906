"""The live feed over a real uvicorn and a real WebSocket client, on SQLite and PostgreSQL.

SQLite: one server in this process (its feed can be looked at). PostgreSQL:
two ``hookwise serve`` processes on one database, as a deployment behind a
load balancer runs them; each delivers to its own subscribers whichever
one accepted the summary.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from hookwise.server import database, ingest, live, tokens
from hookwise.server.app import create_app
from tests.server.payloads import batch, day
from tests.server.servers import in_thread, post, process, receive, subscribe
from tests.waiting import wait_for

QUEUE = 1000  # the SQLite server's per-subscriber bound: one whole batch (wire.MAX_SUMMARIES)


def today() -> date:
    return datetime.now(UTC).date()


@dataclass
class Served:
    where: str
    core: str  # team core's token
    web: str  # team web's token
    admin: str  # team ops, admin
    engine: Engine
    feed: live.Feed


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path = tmp_path_factory.mktemp("live") / "aggregator.db"
    engine = database.engine_for(f"sqlite:///{path}")
    database.upgrade(engine)
    app = create_app(engine, live_queue=QUEUE)
    served = Served(
        "",
        tokens.create(engine, "core"),
        tokens.create(engine, "web"),
        tokens.create(engine, "ops", admin=True),
        engine,
        app.state.live,
    )
    with in_thread(app) as where:
        served.where = where
        yield served
    engine.dispose()


def test_a_team_subscriber_gets_each_summary_with_its_velocity(sqlite_server: Served) -> None:
    with subscribe(sqlite_server.where, sqlite_server.core) as client:
        post(sqlite_server.where, sqlite_server.core, batch([day("api", today().isoformat(), 6)]))
        message = receive(client)
    assert message["type"] == "summary"
    assert (message["team"], message["repo"]) == ("core", "api")
    summary = message["summary"]
    assert summary["day"] == today().isoformat()
    assert (summary["commits"], summary["merges"], summary["cc_compliant"]) == (6, 1, 6)
    assert "authors" not in summary  # the hashes stay in the database
    velocity = message["velocity"]
    assert velocity["repo"] == "api"
    assert velocity["commits"] == 6
    assert velocity["commits_per_day"] == pytest.approx(6 / live.VELOCITY_DAYS, abs=1e-4)
    assert velocity["active_authors"] == 2
    assert len(velocity["days"]) == live.VELOCITY_DAYS
    assert velocity["days"][-1] == {"day": today().isoformat(), "commits": 6}
    assert velocity["trend"] > 0  # all of it on the window's last day


def test_each_day_of_a_batch_is_a_message(sqlite_server: Served) -> None:
    days = [(today() - timedelta(days=n)).isoformat() for n in (2, 1)]
    with subscribe(sqlite_server.where, sqlite_server.core, header=True) as client:
        post(sqlite_server.where, sqlite_server.core, batch([day("cli", d, 2) for d in days]))
        got = [receive(client) for _ in days]
    assert [m["summary"]["day"] for m in got] == days
    assert {m["velocity"]["commits"] for m in got} == {4}  # the row after both days


def test_scope_decides_who_hears_a_summary(sqlite_server: Served) -> None:
    where = sqlite_server.where
    with (
        subscribe(where, sqlite_server.core) as core,
        subscribe(where, sqlite_server.admin) as admin,
    ):
        post(where, sqlite_server.web, batch([day("site", today().isoformat(), 1)]))
        post(where, sqlite_server.core, batch([day("api", today().isoformat(), 9)]))
        # Delivery keeps the order of commits, so had team web's summary reached
        # the core subscriber, it would come before core's own.
        assert [(m["team"], m["repo"]) for m in (receive(core),)] == [("core", "api")]
        heard = [receive(admin), receive(admin)]
    assert [(m["team"], m["repo"]) for m in heard] == [("web", "site"), ("core", "api")]
    assert heard[1]["summary"]["commits"] == 9


@pytest.mark.parametrize(
    "first",
    [json.dumps({"token": "hw_not-a-token"}), "not json", json.dumps({"password": "x"})],
    ids=["unknown-token", "not-json", "no-token-field"],
)
def test_a_bad_first_message_closes_with_policy_violation(
    sqlite_server: Served, first: str
) -> None:
    with connect(f"ws://{sqlite_server.where}/api/v1/live") as client:
        client.send(first)
        with pytest.raises(ConnectionClosed) as closed:
            client.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == live.POLICY_VIOLATION
    assert "token" in closed.value.rcvd.reason


def test_a_bad_header_token_closes_with_policy_violation(sqlite_server: Served) -> None:
    headers = {"Authorization": "Bearer hw_revoked-or-never-made"}
    url = f"ws://{sqlite_server.where}/api/v1/live"
    with (
        connect(url, additional_headers=headers) as client,
        pytest.raises(ConnectionClosed) as closed,
    ):
        client.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == live.POLICY_VIOLATION
    assert closed.value.rcvd.reason == "the token is unknown or revoked"


def test_a_revoked_token_closes_its_open_feed(sqlite_server: Served) -> None:
    engine, feed = sqlite_server.engine, sqlite_server.feed
    token = tokens.create(engine, "core")
    feed.recheck_seconds = 0.1
    try:
        with subscribe(sqlite_server.where, token) as client:
            assert tokens.revoke(engine, tokens.listing(engine)[-1].id)
            with pytest.raises(ConnectionClosed) as closed:
                receive(client)
    finally:
        feed.recheck_seconds = live.RECHECK_SECONDS
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        live.POLICY_VIOLATION,
        "the token was revoked",
    )


@pytest.mark.slow
def test_a_slow_subscriber_is_dropped_and_ingest_goes_on(sqlite_server: Served) -> None:
    """A client that reads nothing fills the sockets, then its queue of QUEUE messages; it is
    dropped (1013) while every POST is answered and a reading client gets every message.

    The server's kernel buffers take about 4 MB on loopback (some 2,700 messages
    of 1.5 KB) before a write waits, so this takes three or four batches."""
    where, feed = sqlite_server.where, sqlite_server.feed
    days = [(today() - timedelta(days=n)).isoformat() for n in range(QUEUE)]
    # A stalled reader: the client library stops reading from its socket after
    # one message (max_queue=1), its socket's receive buffer is small (the
    # kernel would grow it to megabytes), and without compression (which
    # shrinks these alike messages a hundredfold) each message takes its size.
    stalled = {"max_queue": 1, "compression": None, "sock": small_socket(where)}
    with (
        subscribe(where, sqlite_server.core, **stalled) as slow,
        subscribe(where, sqlite_server.core, compression=None) as reader,
    ):
        for rounds in range(1, 9):
            post(where, sqlite_server.core, batch([day("bulk", d, 1 + rounds) for d in days]))
            got = [receive(reader) for _ in days]
            assert {m["summary"]["commits"] for m in got} == {1 + rounds}
            if len(feed.subscribers) == 1:
                break
        assert len(feed.subscribers) == 1  # the slow one is gone, the reader stays
        heard = 0
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                receive(slow)
                heard += 1
    assert heard < rounds * len(days)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == live.TRY_AGAIN_LATER


def small_socket(where: str) -> socket.socket:
    host, port = where.split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    return sock


# -- PostgreSQL: two processes, one database ---------------------------------


@dataclass
class Pair:
    a: str
    b: str
    core: str
    admin: str


@pytest.fixture(scope="module")
def two_processes(
    postgres_url: str, postgres_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    logs = tmp_path_factory.mktemp("serve")
    core = tokens.create(postgres_engine, "live-core")
    admin = tokens.create(postgres_engine, "live-ops", admin=True)
    with (
        process(postgres_url, logs / "a.log") as a,
        process(postgres_url, logs / "b.log") as b,
    ):
        yield Pair(a, b, core, admin)


@pytest.mark.postgres
def test_a_summary_posted_to_one_process_reaches_subscribers_of_both(two_processes: Pair) -> None:
    pair = two_processes
    with subscribe(pair.a, pair.core) as on_a, subscribe(pair.b, pair.core) as on_b:
        post(pair.b, pair.core, batch([day("pg-api", today().isoformat(), 4)]))
        from_a, from_b = receive(on_a), receive(on_b)
        post(pair.a, pair.core, batch([day("pg-api", today().isoformat(), 5)]))
        # The accepting process delivers once, like the other: the next
        # message is the second summary, not the first again.
        again_a, again_b = receive(on_a), receive(on_b)
    for message in (from_a, from_b):
        assert (message["repo"], message["summary"]["commits"]) == ("pg-api", 4)
        assert message["velocity"]["commits"] == 4
    assert again_a["summary"]["commits"] == again_b["summary"]["commits"] == 5


def _listeners(engine: Engine) -> set[int]:
    with engine.connect() as connection:
        return set(
            connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": live.APPLICATION_NAME},
            ).scalars()
        )


@pytest.mark.postgres
def test_the_listener_reconnects_and_says_resync(
    two_processes: Pair, postgres_engine: Engine
) -> None:
    pair = two_processes
    with subscribe(pair.a, pair.admin) as client:
        before = _listeners(postgres_engine)
        assert len(before) == 2  # one per process
        with postgres_engine.connect() as connection:
            killed = connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                {"pids": sorted(before)},
            ).scalars()
            assert all(killed)
        assert receive(client) == {"type": "resync"}
        wait_for(lambda: len(_listeners(postgres_engine) - before) == 2)
        post(pair.b, pair.core, batch([day("pg-web", today().isoformat(), 3)]))
        message = receive(client)
    assert (message["team"], message["repo"]) == ("live-core", "pg-web")


def test_notices_stay_within_postgresqls_payload_limit() -> None:
    longest = "r" * 128
    summaries: list[dict[str, Any]] = [
        {"team": "t" * 128, "repo": longest, "day": date(2024, 1, 1) + timedelta(days=n)}
        for n in range(1000)
    ]
    accepted = ingest._accepted(summaries)
    assert [len(a.days) for a in accepted] == [400, 400, 200]
    for item in accepted:
        payload = ingest.notice(item)
        assert len(payload.encode()) < 8000
        assert ingest.read_notice(payload) == item


def test_the_bounded_queue_drops_rather_than_waits() -> None:
    scope = tokens.Scope(1, "core", None, False)
    subscriber = live.Subscriber(scope, 2)
    assert subscriber.offer("one") and subscriber.offer("two")
    assert not subscriber.offer("three")
    assert subscriber.dropped.is_set()
    assert subscriber.queue.empty()  # what it will never be sent is freed


def test_a_sqlite_feed_publishes_only_to_readers(tmp_path: Path) -> None:
    engine = database.engine_for(f"sqlite:///{tmp_path / 'a.db'}")
    feed = live.Feed(engine)
    core = live.Subscriber(tokens.Scope(1, "core", None, False), 4)
    web = live.Subscriber(tokens.Scope(2, "web", None, False), 4)
    admin = live.Subscriber(tokens.Scope(3, "ops", None, True), 4)
    feed.subscribers.update({core, web, admin})
    feed.publish("core", "hello")
    assert (core.queue.qsize(), web.queue.qsize(), admin.queue.qsize()) == (1, 0, 1)
