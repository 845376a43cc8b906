"""The capture shim: finding the script shipped with hookwise and filling it in.

The shim (``hooks/shim.sh``, shipped as ``hookwise/_shim/shim.sh``) is one
POSIX-sh script installed under each hook name; ``render_shim`` fills in
the Python that runs hookwise and the hook it chains.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

from hookwise.errors import InstallError
from hookwise.install.precommit import PRECOMMIT_LEGACY_SUFFIX, is_precommit_script

MARKER = "# hookwise capture hook (hookwise-shim 1)"
# Any shim version is ours to replace or remove.
MARKER_PREFIX = b"# hookwise capture hook (hookwise-shim "
CHAINED_DIR = "hookwise-chained"
# Shells that keep the caller's $0 when a script is sourced with `sh -c '. file' "$0"`
# (zsh and ksh set $0 to the sourced file's name, so they are run directly instead).
SOURCEABLE_SHELLS = frozenset({"sh", "bash", "dash", "ash"})
SHIM_MODE = 0o755


def shim_template() -> str:
    """The shim as shipped: in the wheel, or in the source tree of an editable install."""
    packaged = importlib.resources.files("hookwise") / "_shim" / "shim.sh"
    candidates: list[Any] = [packaged, Path(__file__).resolve().parents[3] / "hooks" / "shim.sh"]
    for candidate in candidates:
        try:
            text: str = candidate.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            continue
        if MARKER in text:
            return text
    raise InstallError(
        "hookwise's hook script (hookwise/_shim/shim.sh) is missing from this installation; "
        "reinstall hookwise (pipx reinstall hookwise)"
    )


def sh_quote_body(value: str) -> str:
    """``value`` for use inside sh single quotes ('...'), where only ' needs care."""
    return value.replace("'", "'\\''")


def render_shim(python: str, chained: Path | None, chained_shell: str | None) -> str:
    values = {
        "@HOOKWISE_PYTHON@": python,
        "@HOOKWISE_CHAINED@": str(chained) if chained else "",
        "@HOOKWISE_CHAINED_SHELL@": chained_shell or "",
    }
    text = shim_template()
    for placeholder, value in values.items():
        text = text.replace(placeholder, sh_quote_body(value))
    return text


def chained_shell(hook: Path) -> str | None:
    """The shell to source ``hook`` with, keeping the caller's ``$0``; None to exec it.

    husky v9's ``.husky/_/<name>`` scripts find their helper and the user's
    script from ``$0``: run from a renamed file they would look for
    ``hookwise-chained/post-commit`` and silently do nothing. Only a plain
    POSIX-shell shebang qualifies: interpreter options (``#!/bin/sh -e``)
    would be lost by sourcing, so such scripts are executed instead.
    """
    try:
        with hook.open("rb") as fh:
            first = fh.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!") or b"\r" in first:
        return None  # with a CR the kernel cannot run it either: leave git's behaviour
    words = first[2:].decode("utf-8", errors="replace").split()
    if not words:
        return None
    if Path(words[0]).name == "env":
        words = words[1:]
        if len(words) == 1 and words[0] in SOURCEABLE_SHELLS:
            return words[0]  # found on PATH, as env would
        return None
    if len(words) == 1 and Path(words[0]).name in SOURCEABLE_SHELLS:
        return words[0]  # the very interpreter the shebang names
    return None


def chained_path(hooks_dir: Path, name: str) -> Path:
    """Where the hook that was there before hookwise is kept, and run from."""
    return hooks_dir / CHAINED_DIR / name


def is_ours(path: Path) -> bool:
    """The file is a hookwise shim or check hook (of any version); a symlink never is."""
    from hookwise.install.checkhook import CHECK_MARKER_PREFIX

    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as fh:
            head = fh.read(4096)
        return MARKER_PREFIX in head or CHECK_MARKER_PREFIX in head
    except OSError:
        return False


def shim_location(hooks_dir: Path, name: str) -> Path | None:
    """Where hookwise's shim for ``name`` is, if anywhere."""
    hook = hooks_dir / name
    if is_ours(hook):
        return hook
    legacy = hooks_dir / (name + PRECOMMIT_LEGACY_SUFFIX)
    if is_precommit_script(hook) and is_ours(legacy):
        return legacy
    return None
