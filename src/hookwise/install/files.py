"""Files an install writes: hooks replaced atomically, and the manifest of what it did.

``.git/hookwise/install.json`` records, per hooks directory, whether hookwise
created it and what each original hook was (bytes digest, mode, or symlink
target), so ``uninstall`` can put back exactly what was there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from hookwise.capture.locations import RepoPaths

MANIFEST = "install.json"
MANIFEST_VERSION = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path: Path) -> dict[str, Any]:
    """What an original hook is, for the manifest (a symlink is kept as a symlink)."""
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        return {"original": True, "symlink": str(path.readlink()), "mode": None, "sha256": None}
    return {
        "original": True,
        "symlink": None,
        "mode": stat.S_IMODE(st.st_mode),
        "sha256": sha256_of(path),
    }


def write_atomically(path: Path, text: str, mode: int) -> None:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def manifest_path(paths: RepoPaths) -> Path:
    return paths.hookwise_dir / MANIFEST


def load_manifest(paths: RepoPaths) -> dict[str, Any]:
    try:
        data = json.loads(manifest_path(paths).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("installs"), dict):
        return {}
    return data


def save_manifest(paths: RepoPaths, manifest: dict[str, Any]) -> Path:
    path = manifest_path(paths)
    write_atomically(path, json.dumps(manifest, indent=1, sort_keys=True) + "\n", 0o644)
    return path
