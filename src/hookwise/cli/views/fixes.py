"""``hookwise fix list`` and ``fix pending`` in a terminal: one row per attempt, newest first."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from hookwise.fixes.memory import CurrentAttempt
    from hookwise.learning.pending import Waiting

OUTCOME_STYLES = {"success": "green", "failure": "red", "pending": "yellow"}


def attempts_table(attempts: Sequence[CurrentAttempt]) -> Table:
    """Id (the 12 digits `fix confirm` needs at most), day, finding, strategy, outcome."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "day", "tool", "rule", "path", "strategy", "kind", "outcome"):
        table.add_column(column, overflow="fold" if column == "strategy" else "ellipsis")
    for current in attempts:
        attempt = current.attempt
        outcome = current.outcome
        if current.confirmed_at is not None:
            outcome += " (confirmed)"
        style = OUTCOME_STYLES.get(current.outcome, "")
        table.add_row(
            attempt.id[:12],
            time.strftime("%Y-%m-%d", time.localtime(attempt.time)),
            attempt.tool,
            attempt.rule,
            attempt.path,
            attempt.strategy,
            attempt.kind,
            f"[{style}]{outcome}[/{style}]" if style else outcome,
        )
    return table


def pending_table(waiting: Sequence[Waiting]) -> Table:
    """Id, the day it was shown, the finding, the strategy shown and why it waits."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "shown", "rule", "path", "strategy", "arm", "why"):
        table.add_column(column, overflow="fold" if column == "strategy" else "ellipsis")
    for item in waiting:
        attempt = item.attempt
        table.add_row(
            attempt.id[:12],
            time.strftime("%Y-%m-%d", time.localtime(attempt.time)),
            f"{attempt.tool} {attempt.rule}",
            attempt.path,
            attempt.strategy,
            str(json.loads(attempt.context or "{}").get("arm") or ""),
            item.reason,
        )
    return table
