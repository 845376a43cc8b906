"""Running a checker with its output passed through as it arrives, and a copy kept.

``hookwise check`` sits between a checker and the person (or hook) reading
it, so the checker must look exactly as it does alone: every byte of its
stdout and stderr reaches ours unchanged and in time (a test runner's
progress dots, not one block at the end), and its exit code is ours. Each
stream is read by a thread of its own (reading one to its end while the
other fills its 64 KiB pipe buffer would deadlock the checker) that writes
each chunk through at once and keeps it for the parser.

Checkers colour their output, and print progress, only on a terminal. When
our stream is one, the checker's gets a pseudo-terminal instead of a pipe,
so ``ruff`` and ``pytest`` colour as they would alone (its ``\\n`` is left
for our terminal to translate, so the bytes are the checker's); the copy
kept for the parser then has its colour codes taken out.

Nothing here imports more than the standard library, and no more of it
than starting the checker needs (``re`` waits until the output is read):
the checker starts before anything heavy is loaded, and ``start_checker``
returns while it runs, so the caller's own imports and its look at the
repository overlap the checker's time instead of adding to it. How the
checker is started (without ``subprocess`` where it can be) is
``hookwise.checks.spawn``'s.
"""

from __future__ import annotations

import _thread
import errno
import os
import time

from hookwise.checks.spawn import spawn

# typing is not loaded on the check path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from signal import SIGINT
    from typing import BinaryIO

    from hookwise.checks.spawn import Process
else:
    # Loaded with the interpreter; ``signal`` would add its enums (~0.7 ms).
    from _signal import SIGINT

#: Exit codes as a shell gives them: found but not runnable, and not found.
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127
_CHUNK = 65536
# CSI sequences (colours, cursor moves) and OSC ones (hyperlinks, titles).
# (Compiled when first read: ``re`` is not needed before the checker starts.)
_ESCAPES = rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"


class CheckerRun:
    """One finished run: what the checker printed (as printed) and how it ended.

    A plain class, not a dataclass: ``dataclasses`` imports ``inspect``
    (~10 ms), which must not stand between ``hookwise check`` and the
    checker's start.
    """

    __slots__ = ("command", "cwd", "duration_ms", "exit_code", "started", "stderr", "stdout")

    def __init__(
        self,
        *,
        command: tuple[str, ...],
        cwd: str | os.PathLike[str],
        exit_code: int,
        stdout: bytes,
        stderr: bytes,
        duration_ms: int,
        started: float,  # epoch seconds
    ) -> None:
        self.command = command
        self.cwd = cwd
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.duration_ms = duration_ms
        self.started = started

    def text(self, which: str) -> str:
        """``stdout`` or ``stderr`` as the parser reads it: no colour codes, ``\\n`` lines."""
        import re

        data = re.sub(_ESCAPES, b"", getattr(self, which)).replace(b"\r\n", b"\n")
        return data.decode("utf-8", errors="replace")


def run_checker(
    command: Sequence[str], cwd: str | os.PathLike[str], *, stdout: BinaryIO, stderr: BinaryIO
) -> CheckerRun:
    """Run ``command`` in ``cwd``, passing its output through to ``stdout``/``stderr``.

    ``start_checker(...).finish()``: see there.
    """
    return start_checker(command, cwd, stdout=stdout, stderr=stderr).finish()


def start_checker(
    command: Sequence[str], cwd: str | os.PathLike[str], *, stdout: BinaryIO, stderr: BinaryIO
) -> RunningChecker:
    """Start ``command`` in ``cwd`` with its output passed through as it comes.

    The caller may do its own work (import its parser, ask git for the
    repository) while the checker runs, on the machine's other core, and
    then calls ``finish``. Raises ``CheckerNotFoundError`` when there is no
    such program.
    """
    sinks = (stdout, stderr)
    ends: list[tuple[int, int | None]] = []  # (our read end, the child's end to close)
    pumps: list[Pump] = []
    process: Process | None = None
    try:
        for sink in sinks:
            ends.append(_terminal(sink) if _is_terminal(sink) else _pipe())
        # The pumps run before the checker does, so that none of its output
        # waits for them.
        pumps += [Pump(read_end, sink) for (read_end, _), sink in zip(ends, sinks, strict=True)]
        started, clock = time.time(), time.monotonic()
        process = spawn(list(command), cwd, ends[0][1], ends[1][1])
        for index, (read_end, child_end) in enumerate(ends):
            ends[index] = (read_end, None)
            _close(child_end)
        read_ends = [end for end, _ in ends]
        return RunningChecker(tuple(command), cwd, process, read_ends, pumps, started, clock)
    except BaseException:  # Ctrl-C included: the checker must not outlive hookwise
        if process is not None:
            _stop(process)
        for _, child_end in ends:
            _close(child_end)  # the pumps read to the end of their pipes, and stop
        for pump in pumps:
            pump.join(timeout=1.0)  # a checker's own child may still hold its pipe
        for read_end, _ in ends:
            _close(read_end)
        raise


def _stop(process: Process) -> None:
    """Interrupt the checker and wait for it; a second Ctrl-C stops the wait."""
    process.send_signal(SIGINT)
    try:
        process.wait()
    except KeyboardInterrupt:
        pass


class RunningChecker:
    """A checker started by ``start_checker``, its output being passed through."""

    def __init__(
        self,
        command: tuple[str, ...],
        cwd: str | os.PathLike[str],
        process: Process,
        read_ends: list[int],
        pumps: list[Pump],
        started: float,
        clock: float,
    ) -> None:
        self.command, self.cwd, self._process = command, cwd, process
        self._read_ends, self._started, self._clock = read_ends, started, clock
        self._pumps = pumps

    def interrupt(self) -> None:
        """Ctrl-C (or a failure of ours) before ``finish``: the checker is interrupted
        too and waited for, so it never outlives hookwise."""
        _stop(self._process)
        for read_end in self._read_ends:
            _close(read_end)

    def finish(self) -> CheckerRun:
        """Wait for the checker and all of its output; how it ended.

        On Ctrl-C the checker gets the interrupt too (a terminal sends it to
        both; a ``kill -INT`` of hookwise alone is forwarded), is waited
        for, and the ``KeyboardInterrupt`` goes on to the caller.
        """
        try:
            code = _wait(self._process)
            for pump in self._pumps:
                pump.join()
        finally:
            for read_end in self._read_ends:
                _close(read_end)
        return CheckerRun(
            command=self.command,
            cwd=self.cwd,
            exit_code=code,
            stdout=b"".join(self._pumps[0].copy),
            stderr=b"".join(self._pumps[1].copy),
            duration_ms=round((time.monotonic() - self._clock) * 1000),
            started=self._started,
        )


def _wait(process: Process) -> int:
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.send_signal(SIGINT)
        process.wait()
        raise
    # Killed by a signal: the shell's 128 + N, so Ctrl-C in the checker alone is 130.
    return 128 - code if code < 0 else code


class Pump:
    """One stream of the checker's, written through and kept, in a thread of its own.

    A bare ``_thread`` thread, not a ``threading.Thread``: ``start()`` waits
    until the new thread runs, which on a loaded 2-core machine is a wait
    for the scheduler of 1-5 ms per thread, before the checker can start; a
    Ctrl-C during that wait leaves a lock that cannot be released (exit 1,
    "release unlocked lock"). ``join`` waits on a lock the thread releases
    when it ends.
    """

    __slots__ = ("_ended", "copy")

    def __init__(self, read_end: int, sink: BinaryIO) -> None:
        self.copy: list[bytes] = []
        self._ended = _thread.allocate_lock()
        self._ended.acquire()
        _thread.start_new_thread(self._run, (read_end, sink))

    def _run(self, read_end: int, sink: BinaryIO) -> None:
        try:
            _pump(read_end, sink, self.copy)
        finally:
            self._ended.release()

    def join(self, timeout: float = -1) -> None:
        """Wait until the stream ended (at most ``timeout`` seconds, when given)."""
        if self._ended.acquire(timeout=timeout):
            self._ended.release()


def _pump(read_end: int, sink: BinaryIO, copy: list[bytes]) -> None:
    """Write each chunk through as it comes; a reader that went away stops the writing only."""
    writing = True
    while True:
        try:
            chunk = os.read(read_end, _CHUNK)
        except OSError as error:  # a pseudo-terminal's end reads as EIO
            if error.errno in (errno.EIO, errno.EBADF):  # EBADF: closed after a Ctrl-C
                return
            raise
        if not chunk:
            return
        copy.append(chunk)
        if writing:
            try:
                sink.write(chunk)
                sink.flush()
            except (BrokenPipeError, ValueError):
                writing = False  # `| head` closed it: keep draining so the checker ends


def _is_terminal(sink: BinaryIO) -> bool:
    try:
        return os.isatty(sink.fileno())
    except (OSError, ValueError, AttributeError):
        return False  # a stream without a descriptor (a test's buffer)


def _pipe() -> tuple[int, int | None]:
    return os.pipe()


def _terminal(sink: BinaryIO) -> tuple[int, int | None]:
    """A pseudo-terminal as wide as ours, so the checker wraps its lines as it would alone."""
    import fcntl
    import pty
    import termios

    read_end, child_end = pty.openpty()
    # Our own terminal turns \n into \r\n; the checker's must not do it first.
    attributes = termios.tcgetattr(child_end)
    attributes[1] &= ~termios.ONLCR
    termios.tcsetattr(child_end, termios.TCSANOW, attributes)
    try:
        size = fcntl.ioctl(sink.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(child_end, termios.TIOCSWINSZ, size)
    except OSError:
        pass
    return read_end, child_end


def _close(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
