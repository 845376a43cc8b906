"""The worker's socket: answers what its handler table names, and nothing else."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waiting import wait_for


def test_the_worker_answers_on_its_socket(state_dir: Path) -> None:
    from hookwise.capture import rpc
    from hookwise.errors import WorkerError

    assert rpc.call("ping", {}) is None  # nobody listening
    proc = subprocess.Popen([sys.executable, "-m", "hookwise", "worker", "--foreground"])
    try:
        wait_for(lambda: rpc.socket_path().exists())
        assert rpc.call("ping", {}) == {"pid": proc.pid}
        with pytest.raises(WorkerError, match="unknown operation 'nope'"):
            rpc.call("nope", {})
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert not rpc.socket_path().exists()
    assert rpc.call("ping", {}) is None
