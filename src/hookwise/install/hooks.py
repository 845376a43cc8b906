"""Installing and removing the native capture hooks (and the check hook).

``install`` puts the shim (``hooks/shim.sh``) in place as post-commit,
post-merge, post-checkout and post-rewrite in the hooks directory git really
uses (``core.hooksPath`` and linked worktrees included). A hook that is
already there and is not hookwise's is moved to ``hookwise-chained/<name>``
in the same directory -- same bytes, same mode, same inode -- and the shim
runs it after capturing, with the same arguments and stdin, and the same
``$0`` (shell scripts) or at least the same basename of ``$0`` (anything else:
overcommit, for one, takes the hook type from its file name).

What was done is recorded in ``.git/hookwise/install.json`` so that
``uninstall`` can put back exactly what was there, and remove a hooks
directory hookwise created. Uninstall also works without the manifest: the
chained originals sit in ``hookwise-chained/`` next to the shims.

pre-commit's own migration mode is understood too: when ``pre-commit
install`` finds the shim it renames it to ``<name>.legacy`` and runs it from
there, so the shim may live under that name.

``install(check=True)`` adds the ``pre-commit`` check hook
(``hookwise.install.checkhook``), chained and recorded the same way.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hookwise.capture import registry
from hookwise.capture.events import HOOKS
from hookwise.capture.locations import RepoPaths
from hookwise.errors import InstallError
from hookwise.install.checkhook import CHECK_HOOK, configured_warning, render_check_hook
from hookwise.install.checks import check_stale_chained, check_worktree_hooks_dir
from hookwise.install.files import (
    MANIFEST_VERSION,
    describe,
    load_manifest,
    manifest_path,
    save_manifest,
    sha256_of,
    write_atomically,
)
from hookwise.install.precommit import (
    precommit_config,
    precommit_snippet,
)
from hookwise.install.shim import (
    CHAINED_DIR,
    MARKER,
    SHIM_MODE,
    chained_path,
    chained_shell,
    render_shim,
    shim_location,
    shim_template,
)

__all__ = [
    "MARKER",
    "HookState",
    "HookStatus",
    "InstallResult",
    "InstalledHook",
    "UninstallResult",
    "UninstalledHook",
    "chained_path",
    "chained_shell",
    "hook_status",
    "install",
    "precommit_snippet",
    "uninstall",
]

Outcome = Literal["removed", "restored", "left"]


@dataclass(frozen=True)
class InstalledHook:
    name: str
    path: Path  # where the shim now is
    chained: Path | None  # the original hook the shim runs after capturing
    updated: bool  # the shim was already there and was refreshed


@dataclass(frozen=True)
class InstallResult:
    hooks_dir: Path
    hooks: tuple[InstalledHook, ...]
    created_hooks_dir: bool
    manifest: Path
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class UninstalledHook:
    name: str
    path: Path
    outcome: Outcome  # removed: nothing was there before; restored: the original is back
    detail: str = ""


@dataclass(frozen=True)
class UninstallResult:
    hooks: tuple[UninstalledHook, ...]
    removed_hooks_dirs: tuple[Path, ...]
    store_dir: Path  # left in place: history can be rebuilt, fix memory cannot


@dataclass(frozen=True)
class HookState:
    name: str
    path: Path
    native: bool  # hookwise's shim captures this hook
    chained: Path | None  # the original hook the shim runs
    pre_commit: bool  # the pre-commit framework runs hookwise-capture for this hook


@dataclass(frozen=True)
class HookStatus:
    hooks_dir: Path
    hooks: tuple[HookState, ...]
    pre_commit_config: Path | None  # a pre-commit config that mentions hookwise

    @property
    def capturing(self) -> bool:
        """Every hook type is captured, natively or by the pre-commit framework."""
        return all(h.native or h.pre_commit for h in self.hooks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hooks_dir": str(self.hooks_dir),
            "native": {h.name: h.native for h in self.hooks},
            "chained": {h.name: str(h.chained) if h.chained else None for h in self.hooks},
            "pre_commit": {h.name: h.pre_commit for h in self.hooks},
            "pre_commit_config": str(self.pre_commit_config) if self.pre_commit_config else None,
            "capturing": self.capturing,
        }


# --- install, uninstall, status -------------------------------------------------


def hook_status(paths: RepoPaths) -> HookStatus:
    """Which hook types hookwise captures here, and how."""
    hooks: list[HookState] = []
    configs: list[Path] = []
    for name in HOOKS:
        hook = paths.hooks_dir / name
        shim = shim_location(paths.hooks_dir, name)
        chained = chained_path(paths.hooks_dir, name)
        has_chained = shim is not None and os.path.lexists(chained)
        # pre-commit's script is either the hook itself or the original the shim chains.
        config = precommit_config(paths, chained if shim == hook and has_chained else hook)
        if config is not None:
            configs.append(config)
        hooks.append(
            HookState(
                name=name,
                path=hook,
                native=shim is not None,
                chained=chained if has_chained else None,
                pre_commit=config is not None,
            )
        )
    return HookStatus(
        hooks_dir=paths.hooks_dir,
        hooks=tuple(hooks),
        pre_commit_config=configs[0] if configs else None,
    )


def install(
    paths: RepoPaths, *, python: str = sys.executable, check: bool = False
) -> InstallResult:
    """Install (or refresh) the four capture hooks, chaining whatever was there.

    ``check``: also the check hook (``pre-commit``, ``hookwise.install.checkhook``);
    one installed before is refreshed either way.
    """
    if not python:
        raise InstallError(
            "cannot tell which Python runs hookwise; run it as `python -m hookwise install`"
        )
    # Not resolved: a virtualenv's python is a symlink whose target lacks the venv.
    python = str(Path(python).absolute())
    hooks_dir = paths.hooks_dir
    # Everything that can refuse does so before anything is touched.
    shim_template()
    if hooks_dir.exists() and not hooks_dir.is_dir():
        raise InstallError(
            f"the hooks directory {hooks_dir} is not a directory; remove it or fix core.hooksPath"
        )
    if paths.hookwise_dir.exists() and not paths.hookwise_dir.is_dir():
        raise InstallError(
            f"{paths.hookwise_dir} is not a directory; move it away, then run "
            "`hookwise install` again"
        )
    names: tuple[str, ...] = HOOKS
    if check or (hooks_dir.is_dir() and shim_location(hooks_dir, CHECK_HOOK) is not None):
        names = (*HOOKS, CHECK_HOOK)
    warnings = check_worktree_hooks_dir(paths, hooks_dir, names)
    if check and (warning := configured_warning(paths.worktree)):
        warnings.append(warning)
    if paths.worktree is None:
        warnings.append(
            f"{paths.common_dir} is a bare repository: nothing is committed, merged or checked "
            "out in it, so git never runs these hooks there; install hookwise in a clone "
            "(a server receives pushes through other hooks)"
        )
    for name in names:
        check_stale_chained(hooks_dir, name)
    status = hook_status(paths)
    doubled = [h.name for h in status.hooks if h.pre_commit]
    if doubled:
        warnings.append(
            f"the pre-commit framework already runs hookwise-capture for {', '.join(doubled)} "
            f"(see {status.pre_commit_config}); events will be captured twice until you remove "
            "one of the two (hookwise uninstall, or the hookwise-capture hook)"
        )

    try:
        # .git/hookwise, and the registry entry in the user's state directory
        registry.register(paths.hookwise_dir)
    except OSError as exc:
        raise InstallError(
            f"cannot write {exc.filename or paths.hookwise_dir}: {exc.strerror or exc}; "
            "check that its directory exists and that you can write to it"
        ) from exc

    manifest = load_manifest(paths)
    manifest.setdefault("installs", {})
    manifest["version"] = MANIFEST_VERSION
    previous: dict[str, Any] = manifest["installs"].get(str(hooks_dir)) or {}
    created = bool(previous.get("created_hooks_dir", False))
    try:
        if not hooks_dir.is_dir():
            hooks_dir.mkdir(parents=True)
            created = True
        record: dict[str, Any] = {
            "created_hooks_dir": created,
            "python": python,
            "hooks": dict(previous.get("hooks") or {}),
        }
        manifest["installs"][str(hooks_dir)] = record
        manifest_path = save_manifest(paths, manifest)
        try:
            installed = [_install_one(hooks_dir, name, python, record["hooks"]) for name in names]
        finally:
            # Also after a failure half-way, so uninstall knows what was moved.
            save_manifest(paths, manifest)
    except OSError as exc:
        raise InstallError(
            f"cannot install hooks in {hooks_dir}: {exc.strerror or exc}; "
            "check that you can write there (and to .git/hookwise)"
        ) from exc
    return InstallResult(
        hooks_dir=hooks_dir,
        hooks=tuple(installed),
        created_hooks_dir=created,
        manifest=manifest_path,
        warnings=tuple(warnings),
    )


def _install_one(hooks_dir: Path, name: str, python: str, records: dict[str, Any]) -> InstalledHook:
    hook = hooks_dir / name
    chained = chained_path(hooks_dir, name)
    shim = shim_location(hooks_dir, name)
    updated = shim is not None
    if shim is None:
        shim = hook
        if os.path.lexists(hook):
            if os.path.lexists(chained):
                chained.unlink()  # the same as the hook (_check_stale_chained)
            records[name] = describe(hook)
            # A rename keeps the original's bytes, mode and inode exactly.
            chained.parent.mkdir(exist_ok=True)
            hook.rename(chained)
        elif not os.path.lexists(chained):
            records[name] = {"original": False}
    elif name not in records:
        # Reinstalled without a manifest (deleted, or shims copied by hand).
        records[name] = describe(chained) if os.path.lexists(chained) else {"original": False}
    has_chained = os.path.lexists(chained)
    text = (render_check_hook if name == CHECK_HOOK else render_shim)(
        python,
        chained if has_chained else None,
        chained_shell(chained) if has_chained else None,
    )
    write_atomically(shim, text, SHIM_MODE)
    return InstalledHook(
        name=name, path=shim, chained=chained if has_chained else None, updated=updated
    )


def uninstall(paths: RepoPaths) -> UninstallResult:
    """Remove the shims and put back what was there, byte for byte; keep the store."""
    manifest = load_manifest(paths)
    installs: dict[str, Any] = manifest.get("installs", {})
    dirs = [Path(d) for d in installs]
    if paths.hooks_dir not in dirs:
        dirs.append(paths.hooks_dir)  # no manifest: the chained originals are next to the shims
    results: list[UninstalledHook] = []
    removed_dirs: list[Path] = []
    try:
        for hooks_dir in dirs:
            record = installs.get(str(hooks_dir)) or {}
            hook_records: dict[str, Any] = record.get("hooks") or {}
            for name in (*HOOKS, CHECK_HOOK):
                outcome = _uninstall_one(hooks_dir, name, hook_records.get(name))
                if outcome is not None:
                    results.append(outcome)
            with contextlib.suppress(OSError):  # absent, or still holds a hook left alone
                (hooks_dir / CHAINED_DIR).rmdir()
            if record.get("created_hooks_dir") and hooks_dir.is_dir():
                try:
                    hooks_dir.rmdir()
                except OSError:
                    pass  # not empty: something else lives there now
                else:
                    removed_dirs.append(hooks_dir)
        registry.unregister(paths.hookwise_dir)
        manifest_path(paths).unlink(missing_ok=True)
    except OSError as exc:
        raise InstallError(
            f"cannot uninstall the hooks: {exc.strerror or exc} ({exc.filename}); "
            "check that you can write to the hooks directory"
        ) from exc
    return UninstallResult(
        hooks=tuple(results),
        removed_hooks_dirs=tuple(removed_dirs),
        store_dir=paths.hookwise_dir,
    )


def _uninstall_one(
    hooks_dir: Path, name: str, record: dict[str, Any] | None
) -> UninstalledHook | None:
    hook = hooks_dir / name
    chained = chained_path(hooks_dir, name)
    shim = shim_location(hooks_dir, name)
    if shim is None:
        if not os.path.lexists(hook) and os.path.lexists(chained):
            # An install was interrupted between moving the original and writing the shim.
            chained.rename(hook)
            return UninstalledHook(name, hook, "restored")
        if record is None:
            return None  # hookwise never installed this one
        kept = f"; the hook hookwise chained is still at {chained}" if chained.exists() else ""
        return UninstalledHook(
            name, hook, "left", f"{hook} is no longer hookwise's (replaced since install){kept}"
        )
    if not os.path.lexists(chained):
        shim.unlink()
        detail = ""
        if record and record.get("original"):
            detail = f"the original hook recorded at install ({chained}) had already gone"
        return UninstalledHook(name, shim, "removed", detail)
    detail = ""
    recorded = (record or {}).get("sha256")
    if recorded and not chained.is_symlink() and sha256_of(chained) != recorded:
        detail = "it was edited since install; restored as it is now"
    chained.replace(shim)  # the same file as before install: bytes, mode, inode
    return UninstalledHook(name, shim, "restored", detail)
