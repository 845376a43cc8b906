"""Whether the worker runs: its pid file, and a process behind it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.capture.pidfile import PID_FILE, worker_pid


def test_no_pid_file_is_no_worker(state_dir: Path) -> None:
    assert worker_pid() is None
    assert worker_pid(str(state_dir / "elsewhere")) is None


@pytest.mark.parametrize("content", ["", "not a pid\n"])
def test_an_unreadable_pid_file_is_no_worker(state_dir: Path, content: str) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / PID_FILE).write_text(content)
    assert worker_pid() is None
    (state_dir / PID_FILE).unlink()  # the isolation fixture reads it after the test


def test_a_live_process_is_the_worker(state_dir: Path) -> None:
    # Not this process's pid: the isolation fixture stops "the worker" after the test.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / PID_FILE).write_text(f"{sleeper.pid}\n")
        assert worker_pid() == sleeper.pid
        assert worker_pid(str(state_dir)) == sleeper.pid
    finally:
        (state_dir / PID_FILE).unlink()
        sleeper.kill()
        sleeper.wait()


def test_a_dead_process_is_no_worker(state_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / PID_FILE).write_text(proc.stdout)
    assert worker_pid() is None
    (state_dir / PID_FILE).unlink()  # that pid may be reused before the fixture reads it
