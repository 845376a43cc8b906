"""``hookwise-capture``: the capture hook for the pre-commit framework.

Does what the native shim (``hooks/shim.sh``) does, in Python: one
``git rev-parse``, one event in ``.git/hookwise/spool``, wake the worker.

It runs on every commit, merge, checkout and rewrite, inside a budget of
40 ms over a no-op pre-commit hook (DESIGN §6), and pre-commit spends about
half of that checking the hook's virtualenv before it starts. So the path a
warm capture takes imports nothing beyond ``os`` and ``sys`` (loaded with
the interpreter anyway) and three ``os``-only modules of this package:
``settings``, ``spool`` (the event's text and file) and ``pidfile`` (is the
worker running). Even hookwise's other stdlib-only modules cost 25-30 ms to
import on a 2-core machine (``dataclasses`` pulls in ``inspect``, ``pathlib``
and ``subprocess`` their own trees). ``hookwise.capture.registry``,
``hookwise.capture.wake`` and ``hookwise.capture.hooklog`` are imported only
when needed: to register a new store, start a worker, or log a problem.
Never lancedb, pygit2, click or rich.

pre-commit does not pass git's hook arguments to hooks; it exports them::

    post-checkout  PRE_COMMIT_FROM_REF PRE_COMMIT_TO_REF PRE_COMMIT_CHECKOUT_TYPE
    post-merge     PRE_COMMIT_IS_SQUASH_MERGE
    post-rewrite   PRE_COMMIT_REWRITE_COMMAND   (no old->new pairs: the worker
                                                  reads them from the reflog)
    post-commit    none of these

The event carries git's own arguments rebuilt from them, so the worker
cannot tell it from a native hook's. From another hook manager, call it as
``hookwise-capture <hook-name> "$@"`` (stdin is read for post-rewrite).

It never fails the git command: the exit code is always 0, problems go to
``.git/hookwise/log``, and it prints one line only when even that fails. A
``HOOKWISE_*`` setting it cannot use is such a problem: it is logged, and the
capture goes on with the default.
"""

# os.path, not pathlib, on the hot path: pathlib alone costs ~10 ms to import here.
# ruff: noqa: PTH109, PTH110, PTH116, PTH118

from __future__ import annotations

import os
import sys

from hookwise.capture.pidfile import worker_pid
from hookwise.capture.settings import Settings
from hookwise.capture.spool import HOOKS, render, write

# typing and collections.abc are not loaded at start-up; the annotations need them
# only for mypy (``from __future__ import annotations`` keeps them unevaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

USAGE = """\
usage: hookwise-capture [HOOK [ARGS...]]

Records one git hook event for hookwise. Run by the pre-commit framework
(hook id hookwise-capture), which tells it the hook through PRE_COMMIT_*
variables; from any other hook, pass the hook's name and git's arguments:
    hookwise-capture post-checkout "$@"
"""


class CaptureError(Exception):
    """A reason this hook call cannot be captured."""


def hook_call(
    argv: Sequence[str], environ: Mapping[str, str]
) -> tuple[str, list[str], dict[str, str]]:
    """The hook type, git's arguments for it, and the extra env lines of the event."""
    extra: dict[str, str] = {}
    if argv:
        hook, args = argv[0], list(argv[1:])
    else:
        # Named outright by some runners; pre-commit itself only implies it.
        hook = (
            environ.get("PRE_COMMIT_HOOK_TYPE")
            or environ.get("PRE_COMMIT_HOOK_STAGE")
            or _hook_from_precommit_env(environ)
        )
        args = _args_from_precommit_env(hook, environ)
        if hook == "post-rewrite":
            extra["PRE_COMMIT_REWRITE_COMMAND"] = args[0]
    if hook not in HOOKS:
        raise CaptureError(
            f"{hook!r} is not a hook hookwise captures (use one of: {', '.join(HOOKS)})"
        )
    return hook, args, extra


def _hook_from_precommit_env(environ: Mapping[str, str]) -> str:
    # Each post-* stage exports its own variable, and post-commit none.
    if environ.get("PRE_COMMIT_REWRITE_COMMAND"):
        return "post-rewrite"
    if environ.get("PRE_COMMIT_CHECKOUT_TYPE"):
        return "post-checkout"
    if environ.get("PRE_COMMIT_IS_SQUASH_MERGE"):
        return "post-merge"
    if environ.get("PRE_COMMIT") == "1":
        return "post-commit"
    raise CaptureError("cannot tell which git hook runs it; see `hookwise-capture --help`")


def _args_from_precommit_env(hook: str, environ: Mapping[str, str]) -> list[str]:
    """git's native hook arguments, as pre-commit received them."""
    if hook == "post-checkout":
        return [
            environ.get("PRE_COMMIT_FROM_REF", ""),
            environ.get("PRE_COMMIT_TO_REF", ""),
            environ.get("PRE_COMMIT_CHECKOUT_TYPE", ""),
        ]
    if hook == "post-merge":
        return [environ.get("PRE_COMMIT_IS_SQUASH_MERGE", "0")]
    if hook == "post-rewrite":
        command = environ.get("PRE_COMMIT_REWRITE_COMMAND", "")
        if not command:
            raise CaptureError("post-rewrite without PRE_COMMIT_REWRITE_COMMAND")
        return [command]
    return []


def _git(*args: str) -> str | None:
    """git's stdout, or None when it fails; posix_spawn, because subprocess costs ~8 ms to
    import."""
    if not hasattr(os, "posix_spawnp"):  # not POSIX: the slow way
        import subprocess

        proc = subprocess.run(["git", *args], capture_output=True, stdin=subprocess.DEVNULL)
        return proc.stdout.decode(errors="replace") if proc.returncode == 0 else None
    read_end, write_end = os.pipe()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        pid = os.posix_spawnp(
            "git",
            ["git", *args],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 0),
                (os.POSIX_SPAWN_DUP2, write_end, 1),
                (os.POSIX_SPAWN_DUP2, devnull, 2),
            ],
        )
    except OSError:  # git is not installed
        os.close(read_end)
        return None
    finally:
        os.close(write_end)
        os.close(devnull)
    chunks = []
    with os.fdopen(read_end, "rb") as out:
        while chunk := out.read(65536):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return b"".join(chunks).decode(errors="replace")


def repo_info() -> tuple[str, str, str, str]:
    """common dir, git dir, HEAD sha and HEAD's ref: one git call, as the shim makes."""
    out = _git("rev-parse", "--git-common-dir", "--git-dir", "HEAD", "--symbolic-full-name", "HEAD")
    if out is None:  # no commit yet: HEAD does not resolve
        out = _git("rev-parse", "--git-common-dir", "--git-dir")
    if out is None:
        raise CaptureError("not in a git repository; nothing captured")
    common, git_dir, head, ref = [*out.splitlines(), "", "", "", ""][:4]
    cwd = os.getcwd()
    return os.path.join(cwd, common), os.path.join(cwd, git_dir), head, ref


def last_reflog_line(git_dir: str) -> str:
    """The HEAD reflog line a checkout just wrote (what the shim's ``tail -n 1`` reads)."""
    try:
        with open(os.path.join(git_dir, "logs", "HEAD"), "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - 8192))
            tail = fh.read().rstrip(b"\n")
    except OSError:
        return ""
    return tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")


def capture(
    hook: str,
    args: list[str],
    extra: Mapping[str, str],
    environ: Mapping[str, str],
    stdin: str = "",
) -> str:
    """Spool one event; return the hookwise directory it went to."""
    common, git_dir, head, ref = repo_info()
    hookwise_dir = os.path.join(common, "hookwise")
    env: dict[str, str] = {}
    if environ.get("GIT_REFLOG_ACTION"):
        env["GIT_REFLOG_ACTION"] = environ["GIT_REFLOG_ACTION"]
    env.update(extra)
    text = render(
        hook,
        args,
        git_dir=git_dir,
        head=head,
        ref=ref,
        env=env,
        stdin=stdin,
        reflog=last_reflog_line(git_dir) if hook == "post-checkout" else "",
    )
    name = f"{hook}-{head or 'none'}-{os.getpid()}"
    try:
        write(os.path.join(hookwise_dir, "spool"), name, text)
    except OSError as exc:
        raise CaptureError(
            f"cannot write to {hookwise_dir} ({exc.strerror or exc}); nothing captured"
        ) from exc
    return hookwise_dir


def wake_worker(hookwise_dir: str, settings: Settings) -> None:
    """Register the store if it is new, and start the worker if none runs."""
    registered = os.path.exists(os.path.join(hookwise_dir, "registered"))
    if not registered:
        from pathlib import Path

        from hookwise.capture import registry

        registry.register(Path(hookwise_dir))
    if settings.no_worker or worker_pid(settings.state_dir) is not None:
        return
    from pathlib import Path

    from hookwise.capture import wake

    wake.start_worker(register=Path(hookwise_dir))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    problems: list[str] = []
    settings = Settings(problems=problems)
    if settings.disable:
        return 0
    environ = os.environ
    label = "hookwise-capture"  # who is speaking, in the one line a problem gets
    hookwise_dir: str | None = None
    try:
        hook, args, extra = hook_call(argv, environ)
        label = hook
        # Only a native-style call has git's stdin; pre-commit gives hooks none.
        stdin = sys.stdin.read() if argv and hook == "post-rewrite" else ""
        hookwise_dir = capture(hook, args, extra, environ, stdin)
        for problem in problems:
            _report(hookwise_dir, f"{label}: {problem}")
        wake_worker(hookwise_dir, settings)
    except Exception as exc:  # a capture hook must never fail the git command
        message = exc if isinstance(exc, CaptureError) else f"{type(exc).__name__}: {exc}"
        _report(hookwise_dir, f"{label}: {message}")
    return 0


def _report(hookwise_dir: str | None, message: str) -> None:
    """Log the problem in the repository; say it on stderr only when that is impossible."""
    if hookwise_dir is None:
        common = _git("rev-parse", "--git-common-dir")
        if common:
            hookwise_dir = os.path.join(os.getcwd(), common.strip(), "hookwise")
    if hookwise_dir is not None:
        from pathlib import Path

        from hookwise.capture.hooklog import log_error

        # log_error never raises (it creates the directory when it can), so a
        # log that did not change means it failed.
        log = os.path.join(hookwise_dir, "log")
        before = _size(log)
        log_error(Path(hookwise_dir), message)
        if _size(log) != before:
            return
    sys.stderr.write(f"hookwise: {message}\n")


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


if __name__ == "__main__":
    sys.exit(main())
