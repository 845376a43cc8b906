"""``hookwise worker``: run, drain with, or stop the background worker."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click

from hookwise.cli.options import repo_option
from hookwise.cli.views.figures import count
from hookwise.errors import HookwiseError, UsageError
from hookwise.git.repo import discover

# How long --stop waits for the worker to finish its batch and exit.
STOP_TIMEOUT_SECONDS = 10


@click.command()
@click.option("--foreground", is_flag=True, help="Stay attached to the terminal (debugging).")
@click.option("--detach", is_flag=True, hidden=True, help="Run in the background (hooks).")
@click.option(
    "--register",
    type=click.Path(path_type=Path),
    hidden=True,
    help="A .git/hookwise directory to add to the worker's registry.",
)
@click.option("--once", is_flag=True, help="Drain this repository's spool now, then exit.")
@click.option("--stop", is_flag=True, help="Stop the running worker.")
@click.option("--idle", type=float, default=None, help="Seconds without events before it exits.")
@repo_option
def worker(
    foreground: bool,
    detach: bool,
    register: Path | None,
    once: bool,
    stop: bool,
    idle: float | None,
    repo_path: Path,
) -> None:
    """Run the background worker that moves spooled events into the store.

    Hooks start it on demand and it exits when idle; run it with --foreground
    to watch it, or --once to drain one repository's spool in this process.
    """
    from hookwise.worker import daemon, drain

    if stop:
        stopped = _stop_worker()
        click.echo("worker stopped" if stopped else "no worker is running")
        return
    if once:
        paths = discover(repo_path)
        result = drain.drain_now(paths)
        click.echo(f"ingested {count(result.events, 'event')} ({result.commits} new commits)")
        if result.corrupt:
            n = len(result.corrupt)
            were, them = ("was", "it") if n == 1 else ("were", "them")
            raise HookwiseError(
                f"{count(n, 'spooled event')} could not be stored and {were} set aside in "
                f"{paths.corrupt_dir} (why, in {paths.log_path}); delete {them} once inspected"
            )
        return
    if not (foreground or detach or register):
        raise UsageError(
            "the worker starts by itself when a hook needs it; use --foreground to run it "
            "here, --once to drain this repository now, or --stop to stop it"
        )
    sys.exit(daemon.run_worker(register=register, detach=detach, idle_seconds=idle))


def _stop_worker() -> bool:
    from hookwise.capture.wake import worker_pid

    pid = worker_pid()
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and worker_pid() == pid:
        time.sleep(0.05)
    return True


COMMANDS = (worker,)
