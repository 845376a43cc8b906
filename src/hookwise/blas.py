"""How many threads numpy's BLAS may use, for the work at hand.

OpenBLAS spreads even a small product over every core, and its threads spin
waiting for each other. On two cores with another process busy, that turns
a 0.1 ms product into 8 ms and a 7 ms query embedding into 180 ms. Work that
is a chain of small products -- one search, one query embedding -- runs on
one BLAS thread; batches get their parallelism from running several at once
(``hookwise.embed.bert``).

``threadpoolctl`` sets the limit process-wide for as long as the ``with``
lasts (OpenBLAS has no per-thread setting); every caller here wants one
thread, so overlapping callers agree.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_controller: Any = None
_lock = threading.Lock()


def _threadpools() -> Any:
    global _controller
    with _lock:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        return _controller


@contextlib.contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Limit numpy's BLAS to ``count`` threads inside the block."""
    with _threadpools().limit(limits=count, user_api="blas"):
        yield
