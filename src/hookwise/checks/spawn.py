"""Starting a checker: ``os.posix_spawnp`` on ``hookwise check``'s path, ``subprocess`` elsewhere.

``import subprocess`` costs ~9 ms (``selectors``, ``signal``, its own
``threading`` and ``contextlib`` use) of the 50 ms ``hookwise check`` may
add to a checker on these machines, so a checker that runs in the folder
hookwise runs in (the hook's case, and every ``hookwise check`` without
``--repo``) is started with ``os.posix_spawnp``, as a shell starts a
program, doing what ``subprocess.Popen`` would do for it: SIGPIPE and
SIGXFSZ back at their defaults (Python ignores them), and none of the
descriptors this process inherited passed on (only stdin, stdout and
stderr). ``posix_spawn`` has no working folder of its own, and changing
this process's for a moment is no option where threads run checkers side
by side (``hookwise fix learn``'s batches), so a checker that runs
anywhere else goes through ``subprocess.Popen(cwd=...)``.

Either way the caller gets a process it can ``wait`` for (its exit code,
or minus the signal that killed it) and ``send_signal`` to.
"""

from __future__ import annotations

import os

from hookwise.errors import CheckerNotFoundError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from signal import SIGPIPE, SIGXFSZ
    from typing import Protocol

    class Process(Protocol):
        """A started checker."""

        def wait(self) -> int: ...

        def send_signal(self, sig: int) -> None: ...

else:
    # Loaded with the interpreter; ``signal`` would add its enums (~0.7 ms).
    from _signal import SIGPIPE, SIGXFSZ


def spawn(
    command: list[str], cwd: str | os.PathLike[str], stdout: int | None, stderr: int | None
) -> Process:
    """Start ``command`` in ``cwd`` with ``stdout`` and ``stderr`` as its output descriptors.

    Raises ``CheckerNotFoundError`` when there is no such program, or it
    cannot be run.
    """
    try:
        if os.path.realpath(cwd) == os.getcwd():  # noqa: PTH109 (no pathlib on this path)
            return Spawned(_posix_spawn(command, stdout, stderr))
        import subprocess

        return subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr)
    except FileNotFoundError:
        raise CheckerNotFoundError(command[0]) from None
    except PermissionError as error:
        raise CheckerNotFoundError(f"{command[0]} ({error.strerror})") from None


class Spawned:
    """A checker started by ``posix_spawnp``, waited for as ``subprocess.Popen`` waits."""

    __slots__ = ("pid", "returncode")

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def wait(self) -> int:
        """Its exit code, or minus the signal that killed it (waiting again is free)."""
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is not None:
            return  # reaped: its pid may be another process's by now
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass


def _posix_spawn(command: list[str], stdout: int | None, stderr: int | None) -> int:
    actions: list[tuple[int, ...]] = [
        (os.POSIX_SPAWN_DUP2, fd, target)
        for fd, target in ((stdout, 1), (stderr, 2))
        if fd is not None
    ]
    actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited()]
    return os.posix_spawnp(
        command[0], command, os.environ, file_actions=actions, setsigdef=(SIGPIPE, SIGXFSZ)
    )


def _inherited() -> list[int]:
    """Descriptors above stderr this process inherited and would pass on (``close_fds``)."""
    try:
        names = os.listdir("/proc/self/fd")  # noqa: PTH208
    except OSError:
        return []  # no /proc: they pass, as they do through a shell
    found = []
    for name in names:
        fd = int(name)
        if fd > 2:
            try:
                if os.get_inheritable(fd):
                    found.append(fd)
            except OSError:
                pass  # the listing's own descriptor, closed by now
    return found
