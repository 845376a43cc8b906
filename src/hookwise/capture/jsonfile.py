"""Small JSON files that hookwise keeps beside a store: read forgivingly, replaced whole.

Backfill's and fix learning's progress, the rule prior, the maintenance
record, the active embedder and the last search are each one JSON object in
one file, read by one process while another may be writing it. So a write
goes to a temporary file named for the writing process and is renamed over
the old one: a reader sees the old object or the new one, never half of
either, and two writers never share a temporary file. A write the disk
cuts short leaves no temporary file behind.
"""

# os, not pathlib and typing: ``hookwise search``'s light entry writes the last
# search with this module, and those two cost ~10 ms to import there.
# ruff: noqa: PTH103, PTH105, PTH108, PTH118

from __future__ import annotations

import contextlib
import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def read_object(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON object in ``path``; empty when the file is missing, damaged or not an object.

    For state that can be computed again (progress, caches): losing it costs
    time, never data, so a damaged file is not an error.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.loads(fh.read())
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
    path = os.fspath(path)
    folder, name = os.path.split(path)
    if make_parent:
        os.makedirs(folder or ".", exist_ok=True)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    text = json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
