"""Detaching: the caller is let go at once, the worker lives on in a session of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.capture.wake import worker_pid
from tests.waiting import wait_for

# Waits for a go-ahead file the test writes only after the caller returned,
# so the caller cannot have waited for it; then says who it is.
DETACHED_CHILD = """
import os, sys, time
from hookwise.worker.detach import detach
go, answer = sys.argv[1], sys.argv[2]
detached = detach()
first = os.getpid()
again = detach()  # already detached: nothing happens
while not os.path.exists(go):
    time.sleep(0.01)
null = os.stat(os.devnull)
quiet = all(os.path.samestat(os.fstat(fd), null) for fd in (0, 1))
with open(answer + ".tmp", "w") as fh:
    fh.write(f"{detached} {again} {quiet} {first} {os.getpid()} {os.getsid(0)}")
os.replace(answer + ".tmp", answer)
"""

# What the `hookwise` console script runs: the CLI, without `hookwise.__main__`.
CONSOLE_SCRIPT = "from hookwise.cli import run; run()"


def test_detach_leaves_the_caller_at_once_and_leads_a_session(tmp_path: Path) -> None:
    go, answer = tmp_path / "go", tmp_path / "answer"
    # stderr is inherited: the child keeps it (a hook points it at the store's log).
    caller = subprocess.Popen([sys.executable, "-c", DETACHED_CHILD, str(go), str(answer)])
    try:
        assert caller.wait(timeout=60) == 0
        assert not answer.exists()  # the child still waits: the caller did not wait for it
    finally:
        go.touch()  # let the child finish whatever happened
    wait_for(answer.exists)
    detached, again, quiet, first, pid, sid = answer.read_text().split()
    assert (detached, again) == ("True", "True")
    assert quiet == "True"  # stdin and stdout are /dev/null
    assert first == pid  # the second detach did not fork again
    assert int(sid) == int(pid)  # it leads a session of its own
    assert int(sid) != os.getsid(0)


@pytest.mark.parametrize(
    "args",
    [
        ["-m", "hookwise", "worker", "--detach"],  # how a hook starts it
        ["-c", CONSOLE_SCRIPT, "worker", "--detach"],
    ],
    ids=["python -m hookwise", "the console script"],
)
def test_a_detached_worker_runs_in_its_own_session(args: list[str]) -> None:
    caller = subprocess.Popen([sys.executable, *args])
    assert caller.wait(timeout=60) == 0
    wait_for(lambda: worker_pid() is not None)
    pid = worker_pid()
    assert pid is not None and pid != caller.pid
    assert os.getsid(pid) == pid
    assert os.getsid(pid) != os.getsid(0)


def test_detach_imports_only_the_standard_library() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import hookwise.worker.detach\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(
        sorted(["__future__", "hookwise", "hookwise.worker", "hookwise.worker.detach"])
    )
