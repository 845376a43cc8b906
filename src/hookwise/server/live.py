"""The live feed: ``/api/v1/live``, a WebSocket streaming each accepted day summary.

The protocol (docs/aggregator.md, "Live feed"):

1. The client opens ``/api/v1/live``. A client that can set headers sends
   ``Authorization: Bearer TOKEN`` with the upgrade; a browser, which
   cannot, sends ``{"token": "TOKEN"}`` as its first message within
   ``AUTH_SECONDS``. The token is never taken from the URL: a URL lands in
   access logs and proxy logs.
2. A bad or missing token closes the socket with 1008 (policy violation)
   and a reason; a good one gets ``{"type": "subscribed", "team", "admin"}``,
   after which nothing accepted is missed.
3. For each day summary the token may read (its team's; an admin's: all),
   one ``{"type": "summary", "team", "repo", "summary", "velocity"}``:
   the day's counts (``queries.day_series``) and the repository's
   portfolio row over the last ``VELOCITY_DAYS`` days (``queries.portfolio``),
   which it changes. ``{"type": "resync"}`` says that some may have been
   missed (the database connection dropped): reload.
4. A token revoked while its feed is open closes the feed with 1008 within
   ``RECHECK_SECONDS``.

Delivery happens only after the ingest transaction commits. On SQLite (one
process) the route hands ``ingest.Stored.accepted`` to ``Feed.committed``.
On PostgreSQL, where several processes may serve one database, ingest
NOTIFYs ``hookwise_summaries`` inside its transaction, and every process
LISTENs on one psycopg connection of its own and delivers to its own
subscribers; the process that accepted a summary hears of it the same way
as every other, so none delivers twice. The listener reconnects with
backoff when its connection drops, then sends ``resync``.

Publishing never waits for a client: each subscriber has a bounded queue
(``QUEUE_SIZE`` messages), and one that falls that far behind is closed
with 1013 (try again later) instead of slowing ingest or holding memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from hookwise.server import ingest, queries, tokens
from hookwise.server.tokens import Scope
from hookwise.sync.wire import MAX_SUMMARIES

log = logging.getLogger(__name__)

# Two whole batches of backlog: a client reading at all keeps up with a
# year's backfill sent at once; one that does not is dropped before its
# queue holds more than about 3 MB (a message measured 1.55 KB: a summary
# and a 30-day velocity row).
QUEUE_SIZE = 2 * MAX_SUMMARIES
# Accepted notices waiting to be loaded and published; beyond this the
# feed skips them and tells every subscriber to resync.
PENDING = 10_000
AUTH_SECONDS = 10.0
VELOCITY_DAYS = 30  # the portfolio's default window, so a message matches the dashboard's table
PROBE_SECONDS = 30.0  # the idle listener checks its connection this often
RETRY_FIRST, RETRY_MAX = 0.5, 10.0
# An open feed re-checks its token this often, so a revoked token stops
# reading within a minute (one indexed query per subscriber per minute).
RECHECK_SECONDS = 60.0
CLOSE_SECONDS = 30.0  # a dropped client that reads nothing gets this long to take its close frame
APPLICATION_NAME = "hookwise-live"  # the listener's connection, as pg_stat_activity shows it

POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013


class Subscriber:
    """One connected client: what it may read, and the messages it has yet to be sent."""

    def __init__(self, scope: Scope, size: int) -> None:
        self.scope = scope
        self.queue: asyncio.Queue[str] = asyncio.Queue(size)
        self.dropped = asyncio.Event()

    def offer(self, message: str) -> bool:
        """Queue ``message``; when the queue is full, drop this subscriber and return False."""
        try:
            self.queue.put_nowait(message)
            return True
        except asyncio.QueueFull:
            while not self.queue.empty():  # free what it will never be sent
                self.queue.get_nowait()
            self.dropped.set()
            return False


class Feed:
    """One application's subscribers, and what delivers accepted summaries to them."""

    def __init__(self, engine: Engine, *, queue_size: int = QUEUE_SIZE) -> None:
        self.engine = engine
        self.queue_size = queue_size
        self.recheck_seconds = RECHECK_SECONDS
        self.subscribers: set[Subscriber] = set()
        self.listens = engine.dialect.name == "postgresql"
        self.listening: asyncio.Event | None = None  # set while LISTENing (made by lifespan)
        self._pending: asyncio.Queue[ingest.Accepted] | None = None
        self._missed = False

    # -- publishing -------------------------------------------------------

    def committed(self, stored: ingest.Stored) -> None:
        """Called by the route once ``stored``'s transaction has committed (SQLite's path)."""
        if not self.listens:
            for accepted in stored.accepted:
                self._enqueue(accepted)

    def _enqueue(self, accepted: ingest.Accepted) -> None:
        if self._pending is None or not self.subscribers:
            return
        try:
            self._pending.put_nowait(accepted)
        except asyncio.QueueFull:
            self._missed = True

    def publish(self, team: str, message: str) -> None:
        """Offer ``message`` to every subscriber that may read ``team``; never waits."""
        for subscriber in list(self.subscribers):
            if subscriber.scope.may_read(team) and not subscriber.offer(message):
                self.subscribers.discard(subscriber)

    def resync(self) -> None:
        """Tell every subscriber that it may have missed summaries."""
        message = json.dumps({"type": "resync"})
        for subscriber in list(self.subscribers):
            if not subscriber.offer(message):
                self.subscribers.discard(subscriber)

    def messages(self, accepted: ingest.Accepted) -> list[str]:
        """The ``summary`` messages for ``accepted``, read from the database (blocking)."""
        days = {d.isoformat() for d in accepted.days}
        rows = queries.day_series(
            self.engine,
            accepted.team,
            accepted.repo,
            since=min(accepted.days),
            until=max(accepted.days),
        )
        velocity = queries.portfolio(
            self.engine,
            [accepted.team],
            days=VELOCITY_DAYS,
            until=datetime.now(UTC).date(),
            repo=accepted.repo,
        )
        head = {"type": "summary", "team": accepted.team, "repo": accepted.repo}
        row = velocity[0] if velocity else None
        return [
            json.dumps({**head, "summary": summary, "velocity": row})
            for summary in rows
            if summary["day"] in days
        ]

    async def _deliver_forever(self, pending: asyncio.Queue[ingest.Accepted]) -> None:
        while True:
            accepted = await pending.get()
            if any(s.scope.may_read(accepted.team) for s in self.subscribers):
                try:
                    for message in await run_in_threadpool(self.messages, accepted):
                        self.publish(accepted.team, message)
                except Exception:  # a database hiccup loses these messages, not the feed
                    log.exception("live feed: could not load %s/%s", accepted.team, accepted.repo)
                    self._missed = True
            if self._missed and pending.empty():
                self._missed = False
                self.resync()

    # -- PostgreSQL -------------------------------------------------------

    def _conninfo(self) -> str:
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def _listen_forever(self) -> None:
        import psycopg

        assert self.listening is not None
        delay, heard_before = RETRY_FIRST, False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo(), autocommit=True, application_name=APPLICATION_NAME
                ) as connection:
                    await connection.execute(f"LISTEN {ingest.CHANNEL}")
                    self.listening.set()
                    if heard_before:
                        log.warning("live feed: listening again on %s", ingest.CHANNEL)
                        self.resync()
                    heard_before, delay = True, RETRY_FIRST
                    while True:
                        async for notify in connection.notifies(timeout=PROBE_SECONDS):
                            self._heard(notify.payload)
                        await connection.execute("SELECT 1")
            except psycopg.Error as exc:
                log.warning(
                    "live feed: lost %s (%s); retrying in %.1f s", ingest.CHANNEL, exc, delay
                )
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    def _heard(self, payload: str) -> None:
        try:
            accepted = ingest.read_notice(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("live feed: ignored a notification that is not hookwise's: %.80s", payload)
            return
        self._enqueue(accepted)

    # -- the application's side -------------------------------------------

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        """Run the deliverer (and on PostgreSQL the listener) while the application runs."""
        self._pending = asyncio.Queue(PENDING)
        self.listening = asyncio.Event()
        tasks = [asyncio.create_task(self._deliver_forever(self._pending))]
        if self.listens:
            tasks.append(asyncio.create_task(self._listen_forever()))
            # Start serving once the listener is up, so that a client that
            # subscribes at once misses nothing; a database that is down
            # does not keep the server from starting.
            with suppress(TimeoutError):
                await asyncio.wait_for(self.listening.wait(), RETRY_MAX)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._pending = None

    def router(self) -> APIRouter:
        router = APIRouter(lifespan=self.lifespan)
        router.add_api_websocket_route("/api/v1/live", self.endpoint)
        return router

    async def endpoint(self, websocket: WebSocket) -> None:
        """Authenticate, subscribe, then send this client's messages until either side leaves."""
        await websocket.accept()
        token = await _token(websocket)
        if token is None:
            return
        scope = await run_in_threadpool(tokens.scope, self.engine, token) if token else None
        if scope is None:
            await websocket.close(POLICY_VIOLATION, "the token is unknown or revoked")
            return
        subscriber = Subscriber(scope, self.queue_size)
        self.subscribers.add(subscriber)
        try:
            hello = {"type": "subscribed", "team": scope.team, "admin": scope.admin}
            await websocket.send_text(json.dumps(hello))
            await self._pump(websocket, subscriber, token)
        except WebSocketDisconnect:
            pass  # it left before its greeting
        finally:
            self.subscribers.discard(subscriber)

    async def _revoked(self, token: str) -> None:
        """Return once ``token`` no longer authorises anything (checked every so often)."""
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                if await run_in_threadpool(tokens.scope, self.engine, token) is None:
                    return
            except SQLAlchemyError:
                pass  # the database is away: no news, and the feed is quiet anyway

    async def _pump(self, websocket: WebSocket, subscriber: Subscriber, token: str) -> None:
        async def send() -> None:
            while True:
                await websocket.send_text(await subscriber.queue.get())

        async def receive() -> None:
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass  # the client has nothing to say after its token; its messages are ignored

        revoked = asyncio.create_task(self._revoked(token))
        tasks = [
            asyncio.create_task(send()),
            asyncio.create_task(receive()),
            asyncio.create_task(subscriber.dropped.wait()),
            revoked,
        ]
        # Whichever ends first (the client left, a send failed, the client fell
        # behind, or its token was revoked) ends the connection; a failed send
        # means the client is gone.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if subscriber.dropped.is_set():
            code = TRY_AGAIN_LATER
            reason = f"more than {self.queue_size} messages behind; reconnect and reload"
        elif revoked.done() and not revoked.cancelled():
            code, reason = POLICY_VIOLATION, "the token was revoked"
        else:
            return
        with suppress(Exception):  # the client may be gone already
            await asyncio.wait_for(websocket.close(code, reason), CLOSE_SECONDS)


async def _token(websocket: WebSocket) -> str | None:
    """The token from the Authorization header, else from the first message.

    ``""`` for a header that is not a bearer token; None when the socket has
    been closed (the client left, or sent no token: closed with 1008).
    """
    header = websocket.headers.get("authorization")
    if header is not None:
        scheme, _, given = header.partition(" ")
        return given.strip() if scheme.lower() == "bearer" else ""
    return await _first_message_token(websocket)


async def _first_message_token(websocket: WebSocket) -> str | None:
    """The token of a first message ``{"token": "..."}``; None once the socket is closed."""
    expected = 'send {"token": "..."} as the first message'
    try:
        message = await asyncio.wait_for(websocket.receive(), AUTH_SECONDS)
    except TimeoutError:
        await websocket.close(POLICY_VIOLATION, f"no token: {expected}")
        return None
    if message["type"] == "websocket.disconnect":
        return None
    try:
        token: Any = json.loads(message.get("text") or "")["token"]
    except (ValueError, KeyError, TypeError):
        token = None
    if not isinstance(token, str) or not token:
        await websocket.close(POLICY_VIOLATION, f"no token: {expected}")
        return None
    return token
