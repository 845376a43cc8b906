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
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from hookwise.errors import UsageError
from hookwise.server.models import Token
from hookwise.sync.wire import REPO_PATTERN

PREFIX = "hw_"
TOKEN_BYTES = 32


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
