"""``hookwise sync --pull``: the team's cross-project fix patterns, into this repository's store.

One request, ``GET {url}/api/v1/patterns/export`` with the bearer token,
answered with a ``PatternExport`` (``hookwise.sync.wire``): per kind of
finding and strategy, the success rate and support pooled over the
repositories that reported it. Every pattern is checked with the wire's
own ``from_json``, the one the aggregator validates with; one that is not
valid is skipped and counted, never stored in part.

This repository's own patterns are not pulled back: its fix memory holds
them already, with their examples. The request names the repository
(``exclude_repo``), so that the aggregator pools the others alone; and
whatever an aggregator sends anyway is filtered here: a pattern whose only
repository is this one is dropped, and one pooled with others keeps its
figures but names the others only.

The ``patterns`` table is then replaced in one commit
(``hookwise.store.patterns``): a re-pull leaves no duplicate, a pattern the
aggregator no longer sends is removed, and a pull that fails (unreachable,
a refused token, an answer that is no export) leaves the table as it was.

Standard library only for HTTP (``urllib``): sync is part of the core
install, which carries no web stack.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path

from hookwise import __version__
from hookwise.errors import (
    AggregatorRefusedError,
    AggregatorResponseError,
    AggregatorUnreachableError,
    UsageError,
    WireFormatError,
)
from hookwise.sync.wire import WIRE_VERSION, SharedPattern

EXPORT_PATH = "/api/v1/patterns/export"
#: The largest export read. A pooled pattern is 300-600 bytes of JSON, so
#: 32 MiB is some 60,000 patterns: far above a team's (the aggregator keeps
#: at most 2,000 per repository), and a bound on what a wrong address that
#: streams forever can make this process hold.
MAX_EXPORT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class PullReport:
    """What one pull did."""

    received: int  # patterns in the aggregator's export
    stored: int  # patterns the table holds now
    skipped: int  # not valid, or a repeat of one already taken: not stored
    own: int  # this repository's alone: not pulled back
    removed: int  # stored before, not sent this time: gone
    aggregator_time: datetime | None  # the aggregator's clock (its Date header), when sent


def pull(
    root: Path, url: str, token: str, *, repo: str | None = None, timeout: float = 10.0
) -> PullReport:
    """Replace the ``patterns`` table of the repository at ``root`` with the aggregator's export.

    ``repo``: the name this repository pushes under, whose own patterns are
    left out. Raises ``AggregatorUnreachableError``, ``AggregatorRefusedError``
    or ``AggregatorResponseError`` (the table unchanged), and the store's
    errors (``StoreMissingError`` before ``hookwise init``).
    """
    from hookwise.git.repo import discover
    from hookwise.store.db import Store
    from hookwise.store.patterns import PatternRow, replace_patterns

    store = Store.open(discover(root), create=False)
    body, aggregator_time = fetch_export(url, token, repo=repo, timeout=timeout)
    patterns, skipped = parse_export(body, url)
    received = len(patterns) + skipped
    rows: dict[tuple[str, str, str, str], PatternRow] = {}
    own = 0
    now = int(time.time())
    for pattern in patterns:
        others = [name for name in pattern.repos if name != repo]
        if not others:
            own += 1
            continue
        key = (pattern.tool, pattern.rule, pattern.signature, pattern.strategy)
        if key in rows:
            skipped += 1  # the aggregator pools one row per key; a second one is not its own
            continue
        rows[key] = {
            "tool": pattern.tool,
            "rule": pattern.rule,
            "signature": pattern.signature,
            "strategy": pattern.strategy,
            "kind": pattern.kind,
            "success": pattern.success,
            "support": pattern.support,
            "repos": others,
            "pulled_at": now,
        }
    with store.lock():
        removed = replace_patterns(store, list(rows.values()))
    return PullReport(
        received=received,
        stored=len(rows),
        skipped=skipped,
        own=own,
        removed=removed,
        aggregator_time=aggregator_time,
    )


def export_url(url: str, repo: str | None) -> str:
    """The export's address on the aggregator at ``url``; ``UsageError`` for no http(s) URL."""
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(
            f"the aggregator address {url!r} is not an http:// or https:// URL "
            "(such as http://127.0.0.1:8765)"
        )
    query = "?" + urllib.parse.urlencode({"exclude_repo": repo}) if repo else ""
    return parsed.geturl().rstrip("/") + EXPORT_PATH + query


def fetch_export(
    url: str, token: str, *, repo: str | None = None, timeout: float = 10.0
) -> tuple[bytes, datetime | None]:
    """The export's body and the aggregator's time; the failure's class when there is none."""
    address = export_url(url, repo)
    request = urllib.request.Request(
        address,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": f"hookwise/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_EXPORT_BYTES + 1)
            date = response.headers.get("Date")
    except urllib.error.HTTPError as exc:
        detail = _detail(exc)
        if exc.code in (401, 403):
            raise AggregatorRefusedError(url, exc.code, detail) from None
        raise AggregatorResponseError(url, f"HTTP {exc.code} ({detail})") from None
    except urllib.error.URLError as exc:
        raise AggregatorUnreachableError(url, str(exc.reason)) from None
    except TimeoutError:
        raise AggregatorUnreachableError(url, f"no answer within {timeout:g} s") from None
    except HTTPException as exc:
        raise AggregatorResponseError(url, f"a reply that is not HTTP ({exc!r})") from None
    except OSError as exc:  # a connection reset or refused while reading
        raise AggregatorUnreachableError(url, exc.strerror or repr(exc)) from None
    if len(body) > MAX_EXPORT_BYTES:
        raise AggregatorResponseError(url, f"more than {MAX_EXPORT_BYTES} bytes")
    return body, _when(date)


def parse_export(body: bytes, url: str) -> tuple[list[SharedPattern], int]:
    """The valid patterns of an export, and how many were not valid.

    The envelope must be an export of this wire version; a pattern that is
    not valid is only counted, so that one bad row does not cost the rest.
    """
    try:
        export = json.loads(body)
    # ValueError: not JSON or not UTF-8; RecursionError: nested thousands deep.
    except (ValueError, RecursionError):
        raise AggregatorResponseError(url, "a body that is not JSON") from None
    if not isinstance(export, dict) or not isinstance(export.get("patterns"), list):
        raise AggregatorResponseError(url, "JSON that is not a pattern export")
    if export.get("version") != WIRE_VERSION:
        raise AggregatorResponseError(
            url, f"wire version {export.get('version')!r}, where this hookwise reads {WIRE_VERSION}"
        )
    patterns, skipped = [], 0
    for i, item in enumerate(export["patterns"]):
        try:
            patterns.append(SharedPattern.from_json(item, f"patterns[{i}]"))
        except WireFormatError:
            skipped += 1
    return patterns, skipped


def _detail(error: urllib.error.HTTPError) -> str:
    """The aggregator's ``detail`` of an error answer, else its reason phrase."""
    try:
        detail = json.loads(error.read(64 * 1024)).get("detail")
    except (ValueError, AttributeError, OSError, RecursionError):
        detail = None
    return str(detail) if isinstance(detail, str) else str(error.reason)


def _when(date: str | None) -> datetime | None:
    if not date:
        return None
    try:
        return parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
