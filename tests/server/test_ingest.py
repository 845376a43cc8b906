"""A batch is stored in one statement per table, however many days it holds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.engine.interfaces import CacheStats

from hookwise.server import ingest
from hookwise.server.models import Pattern, Summary
from hookwise.sync.wire import MAX_SUMMARIES, SummaryBatch
from tests.server.payloads import batch, day, pattern


def inserts(engine: Engine, work: Any) -> list[tuple[str, bool]]:
    """The INSERT statements ``work()`` sends to the database (table, executemany)."""
    seen: list[tuple[str, bool]] = []

    def record(_c: Any, _cursor: Any, statement: str, _p: Any, _x: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append((statement.split()[2], many))

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_full_batch_is_one_round_trip_per_table(engine: Engine) -> None:
    first = date(2024, 1, 1)
    days = [
        day("api", (first + timedelta(n)).isoformat(), n % 17, merges=n % 3)
        for n in range(MAX_SUMMARIES)
    ]
    sent = SummaryBatch.from_json(batch(days, [pattern("api", "remove import", 0.8)]))
    seen = inserts(engine, lambda: ingest.store(engine, "core", sent))
    assert [table for table, _ in seen] == ["summaries", "patterns"]
    with engine.connect() as connection:
        stored = {r.day: r for r in connection.execute(select(Summary))}
        assert connection.execute(select(Pattern.success)).scalars().all() == [0.8]
    assert len(stored) == MAX_SUMMARIES
    last = stored[first + timedelta(MAX_SUMMARIES - 1)]
    assert (last.commits, last.merges, last.team) == (
        (MAX_SUMMARIES - 1) % 17,
        (MAX_SUMMARIES - 1) % 3,
        "core",
    )


def test_the_statement_is_compiled_once_and_reused(engine: Engine) -> None:
    """Values travel as parameters, so later pushes of any size reuse the compiled SQL.

    ``.values(rows)`` made every push compile its INSERT afresh: 28% of the
    server's CPU under load (bench/aggregator_load.py --profile).
    """
    hits: list[object] = []

    def record(_c: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            hits.append(context.cache_hit)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for n, size in enumerate((1, 1, 30, 3)):
            days = [day("api", f"2026-{n + 1:02d}-{d + 1:02d}", d) for d in range(size)]
            ingest.store(engine, "core", SummaryBatch.from_json(batch(days)))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # One day is an execute, several an executemany: each compiled once (the
    # first may already be cached, by an earlier test on the same engine).
    assert hits[1] == hits[3] == CacheStats.CACHE_HIT, hits
    assert CacheStats.NO_CACHE_KEY not in hits
    resent = SummaryBatch.from_json(batch([day("api", "2026-01-01", 9)]))
    ingest.store(engine, "core", resent)
    with engine.connect() as connection:
        stored = connection.execute(select(Summary.commits).where(Summary.day == date(2026, 1, 1)))
        assert stored.scalars().all() == [9]
