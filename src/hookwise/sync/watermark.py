"""The last day fully sent, per repository name and aggregator: where the next sync starts.

A sync sends the days from the watermark on, the watermark day included:
when it was sent, that day may not have been over (a commit at 23:59
comes after a sync at 18:00), and the aggregator replaces a day sent
again, so re-sending it is always right and never counts twice. The
watermark moves only after the aggregator accepted a batch, to the last
day that batch held; a batch that was queued or refused leaves it where
it was, so those days are built again from the store next time.

Kept in ``.git/hookwise/sync/watermarks.json`` as ``{"REPO URL": "YYYY-MM-DD"}``,
replaced whole (``capture.jsonfile``), so a crash leaves the old or the
new watermark, never half of one.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from hookwise.capture.jsonfile import read_object, write_object

FILE = "watermarks.json"


def _key(repo: str, url: str) -> str:
    return f"{repo} {url}"


def read(sync_dir: Path, repo: str, url: str) -> date | None:
    """The watermark of ``repo`` at ``url``; None before the first accepted batch."""
    found = read_object(sync_dir / FILE).get(_key(repo, url))
    if not isinstance(found, str):
        return None
    with contextlib.suppress(ValueError):
        return date.fromisoformat(found)
    return None


def advance(sync_dir: Path, repo: str, url: str, day: date) -> None:
    """Move the watermark to ``day``; never backwards (an old queued batch sent late)."""
    current = read(sync_dir, repo, url)
    if current is not None and current >= day:
        return
    marks = read_object(sync_dir / FILE)
    marks[_key(repo, url)] = day.isoformat()
    write_object(sync_dir / FILE, marks, indent=1, make_parent=True)
