"""Asking the warm worker for an answer a command could also compute itself.

``search`` and ``suggest`` are answered by the worker when one runs (its
index and model are warm) and in the command's own process when none
does. Both sides of that choice are the same for every such command: a
worker that fails or hangs is no reason to fail the command, a worker that
is not running is started for next time (unless ``HOOKWISE_NO_WORKER``),
and an answer the worker gives as a handled error (``{"error", "kind"}``)
is the command's error, raised here as the class it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookwise.errors import HookwiseError, UsageError, WorkerError

if TYPE_CHECKING:
    from pathlib import Path


def ask(op: str, hookwise_dir: Path, args: dict[str, Any], *, timeout: float) -> Any | None:
    """The worker's answer to ``op`` for the repository at ``hookwise_dir``; None without one.

    Raises ``UsageError`` or ``HookwiseError`` when the worker answers with
    an error of that kind (bad input stays bad in any process).
    """
    from hookwise.capture import rpc

    answer = None
    try:
        answer = rpc.call(op, {"hookwise_dir": str(hookwise_dir), **args}, timeout=timeout)
    except (WorkerError, OSError):
        answer = None  # a worker that fails or hangs: the caller answers itself
    if isinstance(answer, dict) and "error" in answer:
        message = str(answer["error"])
        raise UsageError(message) if answer.get("kind") == "UsageError" else HookwiseError(message)
    if answer is not None:
        return answer
    from hookwise.capture.settings import Settings

    if not Settings().no_worker:
        from hookwise.capture.wake import ensure_worker

        ensure_worker(hookwise_dir)
    return None
