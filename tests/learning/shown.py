"""What a check showed under one finding, in the spooled shape (``checkrun.write_shown``)."""

from __future__ import annotations

from typing import Any


def shown_item(
    fingerprint: str = "fp1", arm: str | None = "a", strategy: str = "remove `import a`"
) -> dict[str, Any]:
    finding = {
        "tool": "ruff",
        "rule": "F401",
        "message": "`os` imported but unused",
        "path": "mod.py",
        "line": 1,
        "snippet": "import os",
        "language": "python",
        "fingerprint": fingerprint,
    }
    return {
        "finding": finding,
        "arm": arm,
        "strategies": [{"strategy": strategy, "kind": "imports"}],
    }
