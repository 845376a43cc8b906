"""The first schema: tokens, day summaries and fix patterns.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("repo", sa.String(128), nullable=True),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "summaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("repo", sa.String(128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in ("commits", "active_authors")),
        sa.Column("authors", sa.Text(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "merges",
                "conflicted_merges",
                "branch_switches",
                "cc_eligible",
                "cc_compliant",
                "sessions",
                "checks_run",
                "fix_attempts",
                "fix_successes",
            )
        ),
        sa.Column("fixes", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("team", "repo", "day", name="uq_summaries_team_repo_day"),
    )
    op.create_index("ix_summaries_day", "summaries", ["day"])
    op.create_table(
        "patterns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("repo", sa.String(128), nullable=False),
        sa.Column("tool", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("signature", sa.String(300), nullable=False),
        sa.Column("strategy", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("success", sa.Float(), nullable=False),
        sa.Column("support", sa.Float(), nullable=False),
        sa.Column("example", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "team", "repo", "tool", "rule", "signature", "strategy", name="uq_patterns_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("patterns")
    op.drop_index("ix_summaries_day", table_name="summaries")
    op.drop_table("summaries")
    op.drop_table("tokens")
