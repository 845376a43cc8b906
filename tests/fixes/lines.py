"""Record lines as DESIGN §5 writes them."""

from __future__ import annotations

import json
from typing import Any

FINDING = {
    "tool": "ruff",
    "rule": "F401",
    "message": "`os` imported but unused",
    "path": "pkg/mod.py",
    "line": 1,
    "snippet": "import os",
}


def line(**fields: Any) -> str:
    """One record line: a fix of FINDING that worked, with ``fields`` changed."""
    shape: dict[str, Any] = {"finding": FINDING, "strategy": "remove unused import"}
    shape["outcome"] = "success"
    shape.update(fields)
    return json.dumps(shape)


def lines(*records: str) -> bytes:
    return ("\n".join(records) + "\n").encode()
