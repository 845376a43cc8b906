"""The aggregator's tables.

Keys are what makes a push idempotent: a day summary is one row per (team,
repository, day) and a fix pattern one row per (team, repository, tool,
rule, signature, strategy), both written by ``INSERT .. ON CONFLICT DO
UPDATE`` so that a re-sent day replaces the old one and two concurrent
pushes of the same day leave one row. Lists (author hashes, fix tallies)
are JSON text: they are read whole, never queried inside, and the same
column type works on SQLite and PostgreSQL. Changing a table means a new
Alembic revision in ``migrations/versions`` (a test compares the two).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAME = 128  # a team or repository name (hookwise.sync.wire.REPO_PATTERN)


class Base(DeclarativeBase):
    pass


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    team: Mapped[str] = mapped_column(String(NAME))
    repo: Mapped[str | None] = mapped_column(String(NAME))  # None: every repository of the team
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Summary(Base):
    __tablename__ = "summaries"
    __table_args__ = (
        UniqueConstraint("team", "repo", "day", name="uq_summaries_team_repo_day"),
        Index("ix_summaries_day", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team: Mapped[str] = mapped_column(String(NAME))
    repo: Mapped[str] = mapped_column(String(NAME))
    day: Mapped[date] = mapped_column(Date)
    commits: Mapped[int] = mapped_column(Integer)
    active_authors: Mapped[int] = mapped_column(Integer)
    authors: Mapped[str] = mapped_column(Text)  # JSON array of hookwise.sync.wire.author_id
    merges: Mapped[int] = mapped_column(Integer)
    conflicted_merges: Mapped[int] = mapped_column(Integer)
    branch_switches: Mapped[int] = mapped_column(Integer)
    # Distinct branches with a commit that day; NULL when the client did not
    # report it (before revision 0002), which charts leave out, not draw as 0.
    active_branches: Mapped[int | None] = mapped_column(Integer)
    cc_eligible: Mapped[int] = mapped_column(Integer)
    cc_compliant: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[int] = mapped_column(Integer)
    checks_run: Mapped[int] = mapped_column(Integer)
    fix_attempts: Mapped[int] = mapped_column(Integer)
    fix_successes: Mapped[int] = mapped_column(Integer)
    fixes: Mapped[str] = mapped_column(Text)  # JSON array of wire FixTally objects
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Pattern(Base):
    __tablename__ = "patterns"
    __table_args__ = (
        UniqueConstraint(
            "team", "repo", "tool", "rule", "signature", "strategy", name="uq_patterns_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team: Mapped[str] = mapped_column(String(NAME))
    repo: Mapped[str] = mapped_column(String(NAME))
    tool: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(128))
    signature: Mapped[str] = mapped_column(String(300))
    strategy: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    success: Mapped[float] = mapped_column(Float)
    support: Mapped[float] = mapped_column(Float)
    example: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
