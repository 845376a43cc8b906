"""A repository's name at the aggregator: configured, else its origin's, else its folder's.

Every clone of a project should push to the same rows, so the default is
the last path component of the ``origin`` remote's URL (``.../flask.git``
-> ``flask``), which every clone shares, and only then the folder's name,
which a clone may choose freely. ``[tool.hookwise.sync] repo`` (or
``sync = { repo = ... }`` in ``.hookwise.toml``) overrides both, for two
projects whose remotes end alike. Whatever the source, the name is made
to fit ``wire.REPO_PATTERN``: characters outside it become ``-``, and it
is cut to 128 characters.
"""

from __future__ import annotations

import re
from pathlib import Path

from hookwise.git.runner import complete_git
from hookwise.sync.config import load_sync_config
from hookwise.sync.wire import REPO_PATTERN

MAX_NAME = 128
FALLBACK = "repository"


def repo_name(root: Path) -> str:
    """The repository's name at the aggregator (see the module docstring)."""
    configured = load_sync_config(root).repo
    if configured:
        return fit(configured)
    origin = _origin_url(root)
    if origin:
        last = re.split(r"[/:\\]", origin.rstrip("/"))[-1]
        last = last.removesuffix(".git")
        if last:
            return fit(last)
    return fit(root.resolve().name)


def fit(name: str) -> str:
    """``name`` made to match ``wire.REPO_PATTERN``: other characters as ``-``, 128 at most."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", name.strip())
    cleaned = cleaned.lstrip("._-")[:MAX_NAME]
    return cleaned if re.fullmatch(REPO_PATTERN, cleaned) else FALLBACK


def _origin_url(root: Path) -> str | None:
    proc = complete_git(["config", "--get", "remote.origin.url"], cwd=root)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", errors="replace").strip() or None
