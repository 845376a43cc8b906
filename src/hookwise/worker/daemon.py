"""The worker process: one per user, held by a lock, found by its pid file.

Started detached by a hook (or any command) when none runs. A lock on
``<state>/worker.lock`` keeps it to one: a second worker finds it taken and
leaves with 0, as the running one serves every registered store, the new
one included. ``<state>/worker.pid`` says which process it is
(``hookwise.capture.wake.worker_pid``); SIGTERM and SIGINT stop it after the
current batch.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
from pathlib import Path
from types import FrameType

from hookwise import memory
from hookwise.capture import registry
from hookwise.capture.hooklog import log_error
from hookwise.capture.locations import state_dir
from hookwise.capture.settings import Settings
from hookwise.worker.detach import detach as detach_process
from hookwise.worker.loop import Worker


def _write_pid_file(pid_file: Path) -> None:
    # Written aside and renamed, so a reader never sees half a pid.
    tmp = pid_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(f"{os.getpid()}\n")
    tmp.replace(pid_file)


def run_worker(
    *,
    register: Path | None = None,
    detach: bool = False,
    idle_seconds: float | None = None,
) -> int:
    """Run the worker until idle; 0 also when another worker already runs."""
    settings = Settings()  # a bad setting stops it before it takes the lock
    if register is not None:
        try:
            registry.register(register)
        except OSError as exc:
            # That repository cannot be served; the worker still serves the others.
            log_error(register, f"worker: cannot register this repository: {exc}")
    if detach:
        detach_process()  # a no-op when `python -m hookwise` already did it
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(directory / "worker.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock_fd)
        return 0  # one worker per user: the running one will see this store
    pid_file = directory / "worker.pid"
    _write_pid_file(pid_file)
    memory.use_system_allocator()
    memory.limit_arenas()
    # Embedders read their thread count from the environment when they embed;
    # the worker process embeds in the background, with its own default.
    os.environ.setdefault("HOOKWISE_EMBED_THREADS", str(settings.worker_embed_threads))
    worker = Worker(
        idle_seconds=settings.worker_idle_seconds if idle_seconds is None else idle_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        worker.run()
    finally:
        with contextlib.suppress(OSError, ValueError):
            if int(pid_file.read_text().split()[0]) == os.getpid():
                pid_file.unlink()
        os.close(lock_fd)
    return 0
