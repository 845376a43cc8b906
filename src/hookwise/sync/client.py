"""Speaking to the aggregator over HTTP: the standard library's urllib, retried with care.

``post_json`` sends one request body with a bearer token and decides by the
answer what to do next:

- 2xx: done, the parsed JSON answer is returned;
- no answer (refused, reset, timed out), 5xx or 429: tried again, at most
  ``ATTEMPTS`` times in all, waiting ``random() * min(MAX_DELAY, BASE_DELAY
  * 2 ** n)`` seconds before retry n ("full jitter": a team whose workers
  all lost the aggregator at once does not come back in lockstep), or what
  ``Retry-After`` asks (capped at ``MAX_RETRY_AFTER``). Four attempts wait
  at most 0.5 + 1 + 2 = 3.5 s, 1.75 s on average: a short outage is bridged,
  a long one ends in ``AggregatorUnreachableError`` and the caller queues;
- any other 4xx: never retried, since the same request gets the same
  answer; ``AggregatorRefusedError`` carries the status and the server's
  ``detail`` (401 unknown token, 403 out of scope, 422 a field).

``sleep`` and ``random`` are parameters so that tests can see the waits
without waiting them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random as randomness
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from hookwise import __version__
from hookwise.errors import AggregatorRefusedError, AggregatorUnreachableError

ATTEMPTS = 4
BASE_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
TIMEOUT = 10.0
RETRIED = frozenset({429, 500, 502, 503, 504})


def post_json(
    url: str,
    token: str,
    body: bytes,
    *,
    timeout: float = TIMEOUT,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    random: Callable[[], float] = randomness.random,
) -> Any:
    """POST ``body`` (JSON) to ``url``; the parsed answer, or a ``SyncError`` (module docstring)."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"hookwise/{__version__}",
        },
    )
    reason = "no attempt was made"
    for attempt in range(attempts):
        wait: float | None = None
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return _parse(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                detail = _detail(exc.read())
            if exc.code not in RETRIED:
                raise AggregatorRefusedError(url, exc.code, detail) from None
            reason = f"it answered {exc.code}: {detail}"
            wait = retry_after(exc.headers.get("Retry-After"))
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = _reason(exc)
        if attempt + 1 < attempts:
            sleep(wait if wait is not None else backoff(attempt, random))
    raise AggregatorUnreachableError(url, f"{reason}; tried {attempts} times")


def backoff(attempt: int, random: Callable[[], float]) -> float:
    """The wait before retry ``attempt`` (from 0): full jitter under an exponential cap."""
    return float(random()) * min(MAX_DELAY, BASE_DELAY * 2.0**attempt)


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds to wait (a number of seconds or an HTTP date), capped."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(MAX_RETRY_AFTER, float(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, when.timestamp() - time.time()))


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}


def _detail(raw: bytes) -> str:
    """The server's ``detail`` (FastAPI's shape), else the start of the body."""
    found: Any = None
    with contextlib.suppress(ValueError):
        found = json.loads(raw)
    if isinstance(found, dict) and "detail" in found:
        found = found["detail"]
    text = found if isinstance(found, str) else raw.decode("utf-8", "replace")
    if not isinstance(found, str) and found is not None:
        text = json.dumps(found)
    return " ".join(text.split())[:300] or "no detail given"


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    if isinstance(inner, BaseException):
        exc = inner
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return str(exc) or type(exc).__name__
