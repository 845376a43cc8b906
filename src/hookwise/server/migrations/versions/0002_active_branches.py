"""Day summaries gain ``active_branches``: distinct branches with a commit that day.

The column is nullable with no default: the days stored before it, and
days sent by a client that predates it, did not say how many branches
had work, and NULL keeps "not reported" apart from "none". SQLite cannot
alter a column in place, but adding a nullable one needs no table copy,
so existing rows are kept as they are on both databases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("summaries", sa.Column("active_branches", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("summaries") as batch:
        batch.drop_column("active_branches")
