"""Bearer tokens: created once, stored only as their sha256, scoped to a team.

A token is ``hw_`` and 32 random bytes in URL-safe base64 (256 bits, so a
plain sha256 is enough: there is nothing to brute-force that a slow hash
would protect). Its scope:

- ``team``: it writes only that team's repositories and reads only that
  team's data;
- ``repo``: when set, it writes only that one repository (a CI job's token);
- ``admin``: it reads every team's data (and ``/metrics``).

A revoked token stays in the table (``revoked_at``) so that ``token list``
can still show it; it authorises nothing.

Looking a token up is one more query (and connection checkout) per
request: under 50 concurrent clients it cost 1 to 3 ms of CPU, server and
PostgreSQL together, of a one-day push's 5 to 9 ms (bench/aggregator_load.py).
``ScopeCache`` keeps a found scope for ``CACHE_SECONDS``, so a revoked token
stops working within that time on every process, without any process
telling the others.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from hookwise.errors import UsageError
from hookwise.server.models import Token
from hookwise.sync.wire import REPO_PATTERN

PREFIX = "hw_"
TOKEN_BYTES = 32
# How long a looked-up scope is trusted: the most a revoked token keeps
# working. At 1,000 requests/s per token, 5 s saves all but one lookup in
# 5,000, and 5 s is shorter than any sync client's retry backoff.
CACHE_SECONDS = 5.0
CACHE_ENTRIES = 10_000  # scopes kept: tokens in use at once, far above a team's count


@dataclass(frozen=True)
class Scope:
    """What the bearer of a token may do."""

    token_id: int
    team: str
    repo: str | None
    admin: bool

    def may_write(self, repo: str) -> bool:
        return self.repo is None or self.repo == repo

    def may_read(self, team: str) -> bool:
        return self.admin or self.team == team


@dataclass(frozen=True)
class TokenInfo:
    id: int
    team: str
    repo: str | None
    admin: bool
    created_at: datetime
    revoked_at: datetime | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _name(value: str, what: str) -> str:
    if not re.fullmatch(REPO_PATTERN, value):
        raise UsageError(
            f"the {what} name {value!r} is not valid: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 128 characters"
        )
    return value


def create(engine: Engine, team: str, *, repo: str | None = None, admin: bool = False) -> str:
    """Store a new token's hash and return the token itself (the only time it is seen)."""
    _name(team, "team")
    if repo is not None:
        _name(repo, "repository")
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    with engine.begin() as connection:
        connection.execute(
            insert(Token).values(
                token_hash=digest(token),
                team=team,
                repo=repo,
                admin=admin,
                created_at=datetime.now(UTC),
            )
        )
    return token


def scope(engine: Engine, token: str) -> Scope | None:
    """The scope of ``token``, or None when it is unknown or revoked."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Token.id, Token.team, Token.repo, Token.admin).where(
                Token.token_hash == digest(token), Token.revoked_at.is_(None)
            )
        ).first()
    return None if row is None else Scope(row.id, row.team, row.repo, row.admin)


def listing(engine: Engine) -> list[TokenInfo]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Token.id, Token.team, Token.repo, Token.admin, Token.created_at, Token.revoked_at
            ).order_by(Token.id)
        )
        return [TokenInfo(*row) for row in rows]


def revoke(engine: Engine, token_id: int) -> bool:
    """Revoke the token ``token_id``; False when there is no such live token."""
    with engine.begin() as connection:
        done = connection.execute(
            update(Token)
            .where(Token.id == token_id, Token.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    return bool(done.rowcount)


class ScopeCache:
    """``scope`` remembered for ``ttl`` seconds per token hash; unknown tokens are never cached.

    Only found scopes are kept, so a token created a moment ago works at
    once and a stream of guessed tokens cannot fill the cache. The clock
    is a seam for tests. One cache per application (none at import).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        ttl: float = CACHE_SECONDS,
        entries: int = CACHE_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self.entries = entries
        self.clock = clock
        self._found: dict[str, tuple[float, Scope]] = {}
        self._lock = threading.Lock()

    def scope(self, token: str) -> Scope | None:
        """The scope of ``token`` as ``scope`` answered it at most ``ttl`` seconds ago."""
        key, now = digest(token), self.clock()
        with self._lock:
            kept = self._found.get(key)
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        found = scope(self.engine, token)
        with self._lock:
            if found is None:
                self._found.pop(key, None)
            else:
                if len(self._found) >= self.entries:
                    self._found.clear()  # rare: a fresh start costs one lookup per live token
                self._found[key] = (now, found)
        return found
