"""Alembic's environment for the aggregator: run on the connection ``database.upgrade`` gives.

No alembic.ini and no logging set-up: the migrations ship inside the
package and run from ``hookwise serve``, which owns the engine.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hookwise.server.models import Base

# Any constant both processes agree on: it only names the lock.
UPGRADE_LOCK = 0x686F6F6B  # "hook"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK})"))
    context.run_migrations()
