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

Nothing here imports more than the standard library: the checker starts
before anything heavy is loaded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hookwise.errors import CheckerNotFoundError

#: Exit codes as a shell gives them: found but not runnable, and not found.
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127
_CHUNK = 65536
# CSI sequences (colours, cursor moves) and OSC ones (hyperlinks, titles).
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


@dataclass(frozen=True)
class CheckerRun:
    """One finished run: what the checker printed (as printed) and how it ended."""

    command: tuple[str, ...]
    cwd: Path
    exit_code: int
    stdout: bytes
    stderr: bytes
    duration_ms: int
    started: float  # epoch seconds

    def text(self, which: str) -> str:
        """``stdout`` or ``stderr`` as the parser reads it: no colour codes, ``\\n`` lines."""
        data = _ESCAPES.sub(b"", getattr(self, which)).replace(b"\r\n", b"\n")
        return data.decode("utf-8", errors="replace")


def run_checker(
    command: Sequence[str], cwd: Path, *, stdout: BinaryIO, stderr: BinaryIO
) -> CheckerRun:
    """Run ``command`` in ``cwd``, passing its output through to ``stdout``/``stderr``.

    Raises ``CheckerNotFoundError`` when there is no such program. On Ctrl-C
    the checker gets the interrupt too (a terminal sends it to both; a
    ``kill -INT`` of hookwise alone is forwarded), is waited for, and the
    ``KeyboardInterrupt`` goes on to the caller.
    """
    sinks = (stdout, stderr)
    ends: list[tuple[int, int | None]] = []  # (our read end, the child's end to close)
    try:
        for sink in sinks:
            ends.append(_terminal(sink) if _is_terminal(sink) else _pipe())
        started, clock = time.time(), time.monotonic()
        try:
            proc = subprocess.Popen(list(command), cwd=cwd, stdout=ends[0][1], stderr=ends[1][1])
        except FileNotFoundError:
            raise CheckerNotFoundError(command[0]) from None
        except PermissionError as error:
            raise CheckerNotFoundError(f"{command[0]} ({error.strerror})") from None
    except BaseException:
        for read_end, child_end in ends:
            _close(read_end, child_end)
        raise
    for _, child_end in ends:
        _close(child_end)
    copies: tuple[list[bytes], list[bytes]] = ([], [])
    pumps = [
        threading.Thread(target=_pump, args=(read_end, sink, copy), daemon=True)
        for (read_end, _), sink, copy in zip(ends, sinks, copies, strict=True)
    ]
    for pump in pumps:
        pump.start()
    try:
        code = _wait(proc)
        for pump in pumps:
            pump.join()
    finally:
        for read_end, _ in ends:
            _close(read_end)
    return CheckerRun(
        command=tuple(command),
        cwd=cwd,
        exit_code=code,
        stdout=b"".join(copies[0]),
        stderr=b"".join(copies[1]),
        duration_ms=round((time.monotonic() - clock) * 1000),
        started=started,
    )


def _wait(proc: subprocess.Popen[bytes]) -> int:
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        proc.wait()
        raise
    # Killed by a signal: the shell's 128 + N, so Ctrl-C in the checker alone is 130.
    return 128 - code if code < 0 else code


def _pump(read_end: int, sink: BinaryIO, copy: list[bytes]) -> None:
    """Write each chunk through as it comes; a reader that went away stops the writing only."""
    writing = True
    while True:
        try:
            chunk = os.read(read_end, _CHUNK)
        except OSError as error:  # a pseudo-terminal's end reads as EIO
            if error.errno == errno.EIO:
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
    with contextlib.suppress(OSError):
        size = fcntl.ioctl(sink.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(child_end, termios.TIOCSWINSZ, size)
    return read_end, child_end


def _close(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
