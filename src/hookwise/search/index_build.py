"""Build a store's vector index in a process of its own.

``python -m hookwise.search.index_build DIR``, where ``DIR`` is the
repository's hookwise directory (``.git/hookwise``). The
worker runs this (``build_in_child``) rather than building in its own
process: there the build (tens of seconds at 100k vectors) keeps LanceDB's
runtime busy and every search waits behind it (measured: one search took
27 s while the index was built). In a child, niced, searches only share the
cores with it, and the build's memory is not the worker's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hookwise.capture.locations import RepoPaths
from hookwise.errors import HookwiseError, StoreError
from hookwise.store import vectors as stored
from hookwise.store.db import Store

# Below the worker's priority, so a search never waits for the build's cores.
NICENESS = 10
TIMEOUT = 3600.0  # seconds; a build that runs longer is given up and retried
USAGE = "usage: python -m hookwise.search.index_build STORE_PARENT  (a .git/hookwise directory)"


def build_in_child(hookwise_dir: Path, *, timeout: float = TIMEOUT) -> None:
    """Build the vector index of the store in ``hookwise_dir`` in a niced child process.

    Raises StoreError with the child's last line of stderr when it fails.
    """
    proc = subprocess.run(
        [sys.executable, "-m", __name__, str(hookwise_dir)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise StoreError(f"the index builder failed: {lines[-1]}")


def main(argv: list[str] | None = None) -> int:
    """0 when the index was built, 1 when the store could not be, 2 for bad arguments."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    os.nice(NICENESS)
    try:
        store = Store.open(RepoPaths.for_hookwise_dir(Path(args[0])), create=False)
        stored.build_index(store)
    except HookwiseError as exc:
        print(f"hookwise: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
