"""Setting a damaged table aside so the store can be rebuilt around it.

``hookwise doctor --repair`` never deletes: a table it cannot read is moved,
whole, to ``.git/hookwise/damaged/<time>/<table>.lance``, and the next open
of the store creates it again empty (``Store._ensure_schema``), to be
refilled from git, by the worker, or not at all for rows that exist nowhere
else. This module knows how LanceDB lays a table out on disk (one
``<name>.lance`` directory), so nothing above ``store/`` has to.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from hookwise.capture.locations import RepoPaths
from hookwise.store import schema
from hookwise.store.db import VERSION_FILE

DAMAGED_DIR = "damaged"


def table_path(paths: RepoPaths, name: str) -> Path:
    return paths.store_dir / f"{name}.lance"


def set_aside(paths: RepoPaths, name: str, *, now: float | None = None) -> Path | None:
    """Move table ``name`` out of the store; where it went, or None when it was not there."""
    source = table_path(paths, name)
    if not source.exists():
        return None
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now))
    target_dir = paths.hookwise_dir / DAMAGED_DIR / stamp
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    source.rename(target)
    return target


def rewrite_version(paths: RepoPaths) -> None:
    """Write the schema version file afresh, for a store whose tables are all current.

    Only for a damaged file: the caller has checked that every table opens
    and has this hookwise's columns, which is what the version promises.
    """
    path = paths.store_dir / VERSION_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": schema.SCHEMA_VERSION}) + "\n")
    tmp.replace(path)
