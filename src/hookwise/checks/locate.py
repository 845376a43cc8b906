"""Where a check ran: the worktree's top, the store's directory and HEAD, read from git's files.

``hookwise check`` needs three facts about the repository: the worktree's
top (findings' paths are relative to it), the common git directory (the
store and its spool live there) and the commit checked. ``git rev-parse``
answers all three, but starting git costs 3-5 ms and ``subprocess`` ~9 ms
to import, against a budget of 50 ms for everything the check adds (DESIGN
§6). So they are read from the files git itself reads, in the common case:

- the top is the nearest folder, from the checked folder up, that holds a
  ``.git`` directory, or a ``.git`` file (``gitdir: PATH``: a linked
  worktree or a submodule), on the same file system;
- the common directory is the git directory, or where its ``commondir``
  file points (a linked worktree);
- HEAD is the git directory's ``HEAD`` file: a commit id (detached), or a
  ref followed through loose ref files and ``packed-refs``; a branch with no
  commit yet is no HEAD.

Whenever the files might not say what git would, ``git rev-parse`` is
asked instead (``ask_git``): git's location variables set (``GIT_DIR``,
as git sets it for hooks in a linked worktree), configuration that moves
the worktree or stores refs elsewhere (``core.worktree``, ``core.bare``,
reftable, includes), a folder someone else owns (git's ``safe.directory``
check), or no repository found at all. Paths are real paths, as git gives
them.
"""

# os.path, not pathlib, on the check path: pathlib costs ~6 ms to import there.
# ruff: noqa: PTH112, PTH113, PTH116, PTH118, PTH120

from __future__ import annotations

import os

from hookwise.errors import NotARepositoryError

#: Where checks are configured (``hookwise.checks.config``), at the worktree's top.
OWN_CONFIG = ".hookwise.toml"
PYPROJECT = "pyproject.toml"

#: Variables that change where git looks; with any of them set, git is asked.
GIT_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
)
#: Words in git's configuration after which the files alone may mislead
#: (compared without spaces and in lower case).
CONFIG_WORDS = ("worktree", "bare=true", "refstorage", "[include")
#: Symbolic refs followed before giving up (git's own limit is 5).
MAX_SYMREF_DEPTH = 5
#: Refs kept per worktree (in the worktree's git directory); all others are shared.
PER_WORKTREE = ("HEAD", "refs/bisect/", "refs/worktree/", "refs/rewritten/")


class Repository:
    """Where a check ran: the worktree's top, the store's directory, the commit checked."""

    __slots__ = ("head", "hookwise_dir", "top")

    def __init__(
        self, top: str | os.PathLike[str], hookwise_dir: str | os.PathLike[str], head: str | None
    ) -> None:
        self.top = os.fspath(top)
        self.hookwise_dir = os.fspath(hookwise_dir)
        self.head = head  # None before the first commit


def may_configure_checks(top: str) -> bool:
    """Whether the worktree at ``top`` may configure checks, read without a TOML parser.

    ``install --check``'s hook asks at every commit; reading the
    configuration properly costs 16 ms of imports (pathlib, dataclasses,
    typing, tomllib: ``python -X importtime``), which a repository that
    configures nothing should not pay. Any mention of ``hookwise`` in
    ``pyproject.toml`` (``[tool.hookwise]``, or ``hookwise = {...}`` under
    ``[tool]``) or a file that cannot be read says "maybe", so the proper
    reader decides and reports what is wrong.
    """
    if os.path.lexists(os.path.join(top, OWN_CONFIG)):
        return True
    try:
        with open(os.path.join(top, PYPROJECT), "rb") as fh:
            return b"hookwise" in fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True


def locate(cwd: str | os.PathLike[str]) -> Repository:
    """The repository ``cwd`` is in; ``NotARepositoryError`` outside one (or in a bare one)."""
    return read_repository(cwd) or ask_git(cwd)


def read_repository(cwd: str | os.PathLike[str]) -> Repository | None:
    """The repository as its files say, or None when git must be asked."""
    try:
        return _read_repository(cwd)
    except (OSError, ValueError):  # a file that vanished, a path git would refuse
        return None


def _read_repository(cwd: str | os.PathLike[str]) -> Repository | None:
    if any(os.environ.get(name) for name in GIT_VARIABLES):
        return None
    overrides = os.environ.get("GIT_CONFIG_PARAMETERS", "") + str(
        os.environ.get("GIT_CONFIG_COUNT", "")
    )
    if _unusual(overrides):
        return None
    start = os.path.realpath(cwd)
    found = _find_top(start)
    if found is None:
        return None
    top, git_dir = found
    if start == git_dir or start.startswith(git_dir + os.sep):
        return None  # inside the git directory itself, where git sees no worktree
    common = git_dir
    commondir = _read(os.path.join(git_dir, "commondir"))
    if commondir is not None:
        common = os.path.realpath(os.path.join(git_dir, commondir.strip()))
    config = _read(os.path.join(common, "config"))
    if config is None or _unusual(config):
        return None
    if os.stat(top).st_uid != os.geteuid() or os.stat(common).st_uid != os.geteuid():
        return None  # git's safe.directory rules decide
    head = _head(git_dir, common)
    if head is None:
        return None
    return Repository(top, os.path.join(common, "hookwise"), head or None)


def ask_git(cwd: str | os.PathLike[str]) -> Repository:
    """The repository as ``git rev-parse`` says."""
    from hookwise.git.runner import complete_git

    cwd = os.fspath(cwd)
    asked = ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir"]
    proc = complete_git([*asked, "--verify", "HEAD"], cwd=cwd)
    if proc.returncode != 0:  # no commit yet, or no repository at all
        proc = complete_git(asked, cwd=cwd)
    lines = proc.stdout.decode(errors="replace").splitlines()
    if proc.returncode != 0 or len(lines) < 2:
        raise NotARepositoryError(os.path.realpath(cwd))
    head = lines[2] if len(lines) > 2 else None
    return Repository(lines[0], os.path.join(lines[1], "hookwise"), head)


def _unusual(config: str) -> bool:
    text = config.lower().replace(" ", "").replace("\t", "")
    return any(word in text for word in CONFIG_WORDS)


def _find_top(start: str) -> tuple[str, str] | None:
    """The worktree's top and its git directory, looking up from ``start``."""
    here = start
    try:
        device = os.stat(here).st_dev
    except OSError:
        return None
    while True:
        dot_git = os.path.join(here, ".git")
        if os.path.isdir(dot_git):
            return here, dot_git
        if os.path.isfile(dot_git):
            text = _read(dot_git) or ""
            if not text.startswith("gitdir: "):
                return None
            git_dir = os.path.realpath(os.path.join(here, text[len("gitdir: ") :].strip()))
            return (here, git_dir) if os.path.isdir(git_dir) else None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
        try:
            if os.stat(here).st_dev != device:
                return None  # git stops at a file system's edge
        except OSError:
            return None


def _head(git_dir: str, common: str) -> str | None:
    """HEAD's commit id; "" for a branch with no commit yet; None when the files are unclear."""
    text = _read(os.path.join(git_dir, "HEAD"))
    for _ in range(MAX_SYMREF_DEPTH):
        if text is None:
            return None
        text = text.strip()
        if _is_commit_id(text):
            return text
        if not text.startswith("ref: refs/"):
            return None
        ref = text[len("ref: ") :]
        home = git_dir if ref.startswith(PER_WORKTREE) else common
        text = _read(os.path.join(home, ref))
        if text is None:
            packed = _packed(common, ref)
            if packed is None:
                return ""  # unborn: the branch has no commit yet
            return packed
    return None


def _packed(common: str, ref: str) -> str | None:
    """``ref``'s commit id in ``packed-refs``, or None."""
    text = _read(os.path.join(common, "packed-refs"))
    for line in (text or "").splitlines():
        if line.endswith(" " + ref):
            commit = line.partition(" ")[0]
            return commit if _is_commit_id(commit) else None
    return None


def _is_commit_id(text: str) -> bool:
    """A full SHA-1 or SHA-256 commit id."""
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None
