"""Small JSON files that hookwise keeps beside a store: read forgivingly, replaced whole.

Backfill's and fix learning's progress, the rule prior, the maintenance
record, the active embedder and the last search are each one JSON object in
one file, read by one process while another may be writing it. So a write
goes to a temporary file named for the writing process and is renamed over
the old one: a reader sees the old object or the new one, never half of
either, and two writers never share a temporary file. A write the disk
cuts short leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def read_object(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON object in ``path``; empty when the file is missing, damaged or not an object.

    For state that can be computed again (progress, caches): losing it costs
    time, never data, so a damaged file is not an error.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_object(
    path: str | os.PathLike[str],
    data: dict[str, Any],
    *,
    indent: int | None = None,
    make_parent: bool = False,
) -> None:
    """Replace ``path`` with ``data`` as JSON (keys sorted), all at once.

    Raises ``OSError`` when it cannot be written; the old file then stays.
    """
    path = Path(path)
    if make_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
