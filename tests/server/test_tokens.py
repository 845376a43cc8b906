"""Tokens are stored hashed, scoped, and revocable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, select

from hookwise.errors import UsageError
from hookwise.server import tokens
from hookwise.server.models import Token


def test_only_the_hash_is_stored(engine: Engine) -> None:
    secret = tokens.create(engine, "core", repo="api")
    assert secret.startswith(tokens.PREFIX) and len(secret) > 40
    with engine.connect() as connection:
        stored = connection.execute(select(Token.token_hash)).scalar()
    assert stored == tokens.digest(secret) and secret not in str(stored)
    found = tokens.scope(engine, secret)
    assert found is not None
    assert (found.team, found.repo, found.admin) == ("core", "api", False)
    assert found.may_write("api") and not found.may_write("web")
    assert found.may_read("core") and not found.may_read("docs")


def test_revoked_tokens_authorise_nothing(engine: Engine) -> None:
    secret = tokens.create(engine, "core", admin=True)
    (info,) = tokens.listing(engine)
    assert tokens.revoke(engine, info.id)
    assert not tokens.revoke(engine, info.id)
    assert tokens.scope(engine, secret) is None
    assert tokens.listing(engine)[0].revoked_at is not None


def test_names_are_checked() -> None:
    with pytest.raises(UsageError, match="team name"):
        tokens.create(None, "a team")  # type: ignore[arg-type]


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_revoked_token_stops_working_within_the_cache_time(engine: Engine) -> None:
    clock = Clock()
    cache = tokens.ScopeCache(engine, ttl=5.0, clock=clock)
    secret = tokens.create(engine, "core")
    first = cache.scope(secret)
    assert first is not None and first.team == "core"
    (info,) = tokens.listing(engine)
    assert tokens.revoke(engine, info.id)
    clock.now += 4.9
    assert cache.scope(secret) == first  # still trusted: looked up 4.9 s ago
    clock.now += 0.2
    assert cache.scope(secret) is None  # 5.1 s: looked up again, and revoked
    clock.now += 0.1
    assert cache.scope(secret) is None


def test_the_cache_saves_lookups_and_never_keeps_an_unknown_token(engine: Engine) -> None:
    clock = Clock()
    cache = tokens.ScopeCache(engine, ttl=5.0, clock=clock, entries=2)
    guessed = tokens.PREFIX + "guessed"
    assert cache.scope(guessed) is None
    with engine.begin() as connection:  # the guess becomes a real token: it works at once
        connection.execute(
            Token.__table__.insert().values(  # type: ignore[attr-defined]
                token_hash=tokens.digest(guessed),
                team="core",
                repo=None,
                admin=False,
                created_at=datetime.now(UTC),
            )
        )
    assert cache.scope(guessed) is not None
    with engine.begin() as connection:  # gone from the table, still in the cache
        connection.execute(delete(Token))
    assert cache.scope(guessed) is not None
    others = [tokens.create(engine, "core") for _ in range(3)]
    for other in others:  # more live tokens than entries: the cache starts afresh, still right
        assert cache.scope(other) is not None
    assert cache.scope(guessed) is None
