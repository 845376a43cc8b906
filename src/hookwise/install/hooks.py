"""Installing and removing the native capture hooks.

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
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.resources
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hookwise.capture import registry
from hookwise.capture.events import HOOKS
from hookwise.capture.locations import RepoPaths
from hookwise.errors import InstallError

MARKER = "# hookwise capture hook (hookwise-shim 1)"
# Any shim version is ours to replace or remove.
MARKER_PREFIX = b"# hookwise capture hook (hookwise-shim "
CHAINED_DIR = "hookwise-chained"
# pre-commit renames a hook it finds to <name>.legacy and runs it from there.
PRECOMMIT_LEGACY_SUFFIX = ".legacy"
MANIFEST = "install.json"
MANIFEST_VERSION = 1
PRECOMMIT_CONFIG = ".pre-commit-config.yaml"
PRECOMMIT_REPO_URL = "https://github.com/hookwise/hookwise"
# Shells that keep the caller's $0 when a script is sourced with `sh -c '. file' "$0"`
# (zsh and ksh set $0 to the sourced file's name, so they are run directly instead).
SOURCEABLE_SHELLS = frozenset({"sh", "bash", "dash", "ash"})
SHIM_MODE = 0o755

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


# --- the shim ---------------------------------------------------------------


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


def _sh_quote_body(value: str) -> str:
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
        text = text.replace(placeholder, _sh_quote_body(value))
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
    """The file is a hookwise shim (of any version); a symlink never is."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as fh:
            return MARKER_PREFIX in fh.read(4096)
    except OSError:
        return False


def _is_precommit_script(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return b"File generated by pre-commit: https://pre-commit.com" in fh.read(4096)
    except OSError:
        return False


def _shim_location(hooks_dir: Path, name: str) -> Path | None:
    """Where hookwise's shim for ``name`` is, if anywhere."""
    hook = hooks_dir / name
    if is_ours(hook):
        return hook
    legacy = hooks_dir / (name + PRECOMMIT_LEGACY_SUFFIX)
    if _is_precommit_script(hook) and is_ours(legacy):
        return legacy
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(path: Path) -> dict[str, Any]:
    """What an original hook is, for the manifest (a symlink is kept as a symlink)."""
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        return {"original": True, "symlink": str(path.readlink()), "mode": None, "sha256": None}
    return {
        "original": True,
        "symlink": None,
        "mode": stat.S_IMODE(st.st_mode),
        "sha256": _sha256(path),
    }


def _write_atomically(path: Path, text: str, mode: int) -> None:
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


# --- the manifest -----------------------------------------------------------


def _manifest_path(paths: RepoPaths) -> Path:
    return paths.hookwise_dir / MANIFEST


def _load_manifest(paths: RepoPaths) -> dict[str, Any]:
    try:
        data = json.loads(_manifest_path(paths).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("installs"), dict):
        return {}
    return data


def _save_manifest(paths: RepoPaths, manifest: dict[str, Any]) -> Path:
    path = _manifest_path(paths)
    _write_atomically(path, json.dumps(manifest, indent=1, sort_keys=True) + "\n", 0o644)
    return path


# --- checks -----------------------------------------------------------------


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def _git_lines(worktree: Path, *args: str, stdin: str = "") -> list[str]:
    """git's NUL-separated output; [] when git says nothing or fails (check-ignore: none)."""
    proc = subprocess.run(
        ["git", *args], cwd=worktree, input=stdin.encode(), capture_output=True, check=False
    )
    return [p for p in proc.stdout.decode(errors="replace").split("\0") if p]


def _check_worktree_hooks_dir(paths: RepoPaths, hooks_dir: Path) -> list[str]:
    """Refuse to replace committed hooks; warn when new hook files would be untracked.

    With ``core.hooksPath`` inside the worktree (husky v5-8 uses ``.husky``)
    the hooks are the project's files: replacing one would change a committed
    file for everybody. husky v9's ``.husky/_`` is git-ignored and fine.
    """
    worktree = paths.worktree
    if worktree is None or not _inside(hooks_dir, worktree):
        return []
    if _inside(hooks_dir, paths.git_dir) or _inside(hooks_dir, paths.common_dir):
        return []
    rel = [str((hooks_dir / name).resolve().relative_to(worktree.resolve())) for name in HOOKS]
    tracked = _git_lines(worktree, "ls-files", "-z", "--", *rel)
    if tracked:
        raise InstallError(
            f"core.hooksPath is {hooks_dir}, where {', '.join(sorted(tracked))} "
            f"{'is' if len(tracked) == 1 else 'are'} committed to the repository; "
            "hookwise will not replace a committed file. "
            'Call `hookwise-capture <hook-name> "$@"` from that hook, or use the pre-commit '
            "framework (hookwise install --pre-commit)"
        )
    # --no-index: by the ignore rules alone, whether the files exist yet or not
    ignored = set(
        _git_lines(worktree, "check-ignore", "--no-index", "--stdin", "-z", stdin="\0".join(rel))
    )
    untracked = [r for r in rel if r not in ignored]
    if untracked:
        return [
            f"the hooks in {hooks_dir} are inside the worktree and not ignored by git: "
            f"add them to .gitignore ({', '.join(untracked)}) so they are not committed"
        ]
    return []


def _precommit_config(paths: RepoPaths, script: Path) -> Path | None:
    """The config a pre-commit hook script uses, when that config mentions hookwise."""
    if paths.worktree is None or not _is_precommit_script(script):
        return None
    try:
        text = script.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # pre-commit templates its command line into the script:
    #   ARGS=(hook-impl --config=.pre-commit-config.yaml --hook-type=post-commit)
    m = re.search(r"--config=(\S+?)['\")\s]", text)
    config = paths.worktree / (m.group(1) if m else PRECOMMIT_CONFIG)
    try:
        mentions = "hookwise" in config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return config if mentions else None


# --- services ---------------------------------------------------------------


def hook_status(paths: RepoPaths) -> HookStatus:
    """Which hook types hookwise captures here, and how."""
    hooks: list[HookState] = []
    configs: list[Path] = []
    for name in HOOKS:
        hook = paths.hooks_dir / name
        shim = _shim_location(paths.hooks_dir, name)
        chained = chained_path(paths.hooks_dir, name)
        has_chained = shim is not None and os.path.lexists(chained)
        # pre-commit's script is either the hook itself or the original the shim chains.
        config = _precommit_config(paths, chained if shim == hook and has_chained else hook)
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


def install(paths: RepoPaths, *, python: str = sys.executable) -> InstallResult:
    """Install (or refresh) the four capture hooks, chaining whatever was there."""
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
    warnings = _check_worktree_hooks_dir(paths, hooks_dir)
    for name in HOOKS:
        _check_stale_chained(hooks_dir, name)
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

    manifest = _load_manifest(paths)
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
        manifest_path = _save_manifest(paths, manifest)
        try:
            installed = [_install_one(hooks_dir, name, python, record["hooks"]) for name in HOOKS]
        finally:
            # Also after a failure half-way, so uninstall knows what was moved.
            _save_manifest(paths, manifest)
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
    shim = _shim_location(hooks_dir, name)
    updated = shim is not None
    if shim is None:
        shim = hook
        if os.path.lexists(hook):
            if os.path.lexists(chained):
                chained.unlink()  # the same as the hook (_check_stale_chained)
            records[name] = _describe(hook)
            # A rename keeps the original's bytes, mode and inode exactly.
            chained.parent.mkdir(exist_ok=True)
            hook.rename(chained)
        elif not os.path.lexists(chained):
            records[name] = {"original": False}
    elif name not in records:
        # Reinstalled without a manifest (deleted, or shims copied by hand).
        records[name] = _describe(chained) if os.path.lexists(chained) else {"original": False}
    has_chained = os.path.lexists(chained)
    text = render_shim(
        python,
        chained if has_chained else None,
        chained_shell(chained) if has_chained else None,
    )
    _write_atomically(shim, text, SHIM_MODE)
    return InstalledHook(
        name=name, path=shim, chained=chained if has_chained else None, updated=updated
    )


def _check_stale_chained(hooks_dir: Path, name: str) -> None:
    """Refuse when an earlier install's original is still there but differs from the hook.

    husky v9 rewrites ``.husky/_/*`` on every ``npm install``, replacing the
    shim: then the new hook is the same script as the one kept before, and
    the old copy can go. Anything else would lose a hook, so the user decides.
    """
    hook = hooks_dir / name
    chained = chained_path(hooks_dir, name)
    if _shim_location(hooks_dir, name) is not None or not os.path.lexists(hook):
        return
    if not os.path.lexists(chained):
        return
    same = (
        not hook.is_symlink()
        and not chained.is_symlink()
        and _sha256(hook) == _sha256(chained)
        and stat.S_IMODE(hook.stat().st_mode) == stat.S_IMODE(chained.stat().st_mode)
    )
    if not same:
        raise InstallError(
            f"{hook} was replaced since hookwise was installed, and {chained} still holds "
            "the hook hookwise chained before; move one of them away, then run "
            "`hookwise install` again"
        )


def uninstall(paths: RepoPaths) -> UninstallResult:
    """Remove the shims and put back what was there, byte for byte; keep the store."""
    manifest = _load_manifest(paths)
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
            for name in HOOKS:
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
        _manifest_path(paths).unlink(missing_ok=True)
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
    shim = _shim_location(hooks_dir, name)
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
    if recorded and not chained.is_symlink() and _sha256(chained) != recorded:
        detail = "it was edited since install; restored as it is now"
    chained.replace(shim)  # the same file as before install: bytes, mode, inode
    return UninstalledHook(name, shim, "restored", detail)


def precommit_snippet(rev: str) -> str:
    """What to add to ``.pre-commit-config.yaml`` to capture with the pre-commit framework."""
    stages = " ".join(f"--hook-type {name}" for name in HOOKS)
    return (
        "# pre-commit installs only the pre-commit hook by default: list the hook types\n"
        "# hookwise captures (keep pre-commit if you use it), then run `pre-commit install`.\n"
        f"default_install_hook_types: [pre-commit, {', '.join(HOOKS)}]\n"
        "repos:\n"
        f"  - repo: {PRECOMMIT_REPO_URL}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: hookwise-capture\n"
        "# Or, without default_install_hook_types:\n"
        f"#   pre-commit install {stages}\n"
    )
