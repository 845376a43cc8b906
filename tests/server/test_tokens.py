"""Tokens are stored hashed, scoped, and revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

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
