"""What a backfill did, wherever it ran: in the command's process or in the warm worker.

Kept apart from ``hookwise.history.backfill`` (which needs pyarrow and the
store) so that ``hookwise backfill`` can read the worker's answer and print
it without importing LanceDB: that import alone costs 1.5-3.5 s of a
command whose incremental work takes well under one (docs/capture.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from hookwise.capture.locations import RepoPaths

#: Where the tips and reflog offsets of the last run are kept, in the store.
STATE_FILE = "backfill.json"


@dataclass(frozen=True)
class BackfillResult:
    commits: int
    merges: int
    conflicted: int
    ref_events: int
    seconds: float
    # Merges stored with their conflict check still to come (the worker's).
    pending_checks: int = 0

    @property
    def commits_per_second(self) -> float:
        return self.commits / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackfillResult:
        """Raises ``KeyError`` or ``TypeError`` for an answer that is not one."""
        return cls(**{f.name: data[f.name] for f in fields(cls)})


def state_path(paths: RepoPaths) -> Path:
    return paths.store_dir / STATE_FILE
