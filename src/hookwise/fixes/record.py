"""``hookwise fix record``: fix attempts from JSON lines (DESIGN §5).

One attempt per line::

    {"finding": {"tool", "rule", "message", "path", "line", "snippet"?, "language"?},
     "strategy": str, "kind": str?, "outcome": "success"|"failure",
     "time": ISO-8601?, "context": {...}?, "diff": str?,
     "source": "agent"|"manual"?, "commit": str?}

Every field is checked. A line that fails a check is named by its number
with what is wrong and nothing from it is stored; the good lines of the
same input are stored all the same, so one typo does not lose a batch an
agent produced (the caller then reports the bad lines and fails). Blank
lines are skipped. ``source`` and ``commit`` go beyond §5: an agent can
say it is one, and a script can name the commit that holds the fix.
"""

from __future__ import annotations

import json
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import fingerprint
from hookwise.errors import UsageError
from hookwise.fixes.attempt import (
    FixAttempt,
    attempt_id,
    canonical_context,
    choice,
    optional_text,
    text,
)
from hookwise.fixes.context import attempt_context, repository_id
from hookwise.fixes.kinds import KINDS
from hookwise.fixes.strategy import default_kind
from hookwise.store.db import Store
from hookwise.store.fixes import add_fix_attempts

RECORD_KEYS = (
    "finding",
    "strategy",
    "kind",
    "outcome",
    "time",
    "context",
    "diff",
    "source",
    "commit",
)
RECORD_OUTCOMES = ("success", "failure")  # pending is hookwise's own, while it waits to see
RECORD_SOURCES = ("agent", "manual")  # auto is hookwise's own, for fixes it saw happen


@dataclass(frozen=True)
class BadLine:
    number: int  # from 1
    problem: str

    def __str__(self) -> str:
        return f"line {self.number}: {self.problem}"


@dataclass(frozen=True)
class RecordResult:
    recorded: int  # attempts stored now
    known: int  # good lines whose attempt was already stored (the same line recorded again)
    bad: tuple[BadLine, ...]


def numbered_lines(data: bytes) -> Iterator[tuple[int, str | BadLine]]:
    """Each non-blank line with its number (from 1), or a ``BadLine`` if it is not UTF-8."""
    for number, raw in enumerate(data.split(b"\n"), 1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some editors write
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            yield number, BadLine(number, f"not UTF-8 text (byte {exc.start + 1})")
            continue
        if line.strip():
            yield number, line


def parse_json(line: str) -> object:
    try:
        return json.loads(line)
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        column = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise UsageError(f"not JSON ({detail}{column})") from None


def parse_time(value: object) -> int:
    """An ISO-8601 time as epoch seconds; a time without an offset is UTC.

    UTC rather than the local zone: records are written by scripts and
    agents, often on another machine, and the same line must mean the same
    moment wherever it is recorded. Fractions of a second are dropped, as
    every time in the store is whole seconds.
    """
    if not isinstance(value, str):
        raise UsageError(f"'time' must be an ISO-8601 string, not {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"'time' must be an ISO-8601 time such as 2024-05-01T14:03:00Z, not {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.timestamp() < 0:
        raise UsageError(f"'time' must not be before 1970, not {value!r}")
    return int(moment.timestamp())


def parse_record(
    shape: object,
    *,
    now: int,
    sources: tuple[str, ...] = RECORD_SOURCES,
    project: str | None = None,
) -> FixAttempt:
    """One record line's object as an attempt; ``UsageError`` says what is wrong.

    ``sources``: the sources a record may name; hookwise's own miners pass
    ``("auto",)``, which a record from outside may not claim. The context
    keeps what the record gives (a ``skill``, say) and gains what is known
    for certain where it is missing: ``project`` (the store's repository
    id) and the finding's language. The complexity is not guessed: the
    file as it was when the attempt was made may be in no commit.
    """
    if not isinstance(shape, dict):
        kind = "an array" if isinstance(shape, list) else repr(shape)
        raise UsageError(f"a record is a JSON object, not {kind}")
    unknown = sorted(set(shape) - set(RECORD_KEYS))
    if unknown:
        raise UsageError(
            f"a record has no field {', '.join(map(repr, unknown))}; "
            f"its fields are {', '.join(RECORD_KEYS)}"
        )
    if "finding" not in shape:
        raise UsageError("a record needs a 'finding'")
    finding = Finding.from_json(shape["finding"])
    for key in ("tool", "rule"):
        if not getattr(finding, key).strip():
            raise UsageError(f"a finding's {key!r} must not be empty")
    if "strategy" not in shape:
        raise UsageError("a record needs a 'strategy'")
    strategy = text(shape, "strategy", empty=False)
    if "outcome" not in shape:
        raise UsageError("a record needs an 'outcome' (success or failure)")
    outcome = choice(shape, "outcome", RECORD_OUTCOMES)
    diff = optional_text(shape, "diff")
    kind = (
        default_kind(strategy, diff)
        if shape.get("kind") is None
        else choice(shape, "kind", tuple(KINDS))
    )
    fields: dict[str, Any] = {
        "tool": finding.tool,
        "rule": finding.rule,
        "message": finding.message,
        "path": finding.path,
        "snippet": finding.snippet,
        "fingerprint": fingerprint(finding),
        "language": finding.language,
        "strategy": strategy,
        "kind": kind,
        "source": "manual" if shape.get("source") is None else choice(shape, "source", sources),
        "outcome": outcome,
        "commit": optional_text(shape, "commit"),
        "diff": diff,
        "context": _context(shape.get("context"), project, finding.language),
        "confirms": None,
        "time": now if shape.get("time") is None else parse_time(shape["time"]),
    }
    return FixAttempt(id=attempt_id(fields), recorded_at=now, **fields)


def _context(given: object, project: str | None, language: str | None) -> str | None:
    if given is not None:
        canonical_context(given)  # a context that is no object is named before it is filled
    context = attempt_context(
        project=project,
        language=language,
        source=None,
        line=None,
        given=given if isinstance(given, dict) else None,
    )
    return None if context is None else canonical_context(context)


def parse_records(
    data: bytes, parse: Callable[[object], FixAttempt]
) -> tuple[list[FixAttempt], list[BadLine]]:
    """The attempts ``parse`` makes of the good lines of ``data``, and the bad lines."""
    attempts: list[FixAttempt] = []
    bad: list[BadLine] = []
    for number, line in numbered_lines(data):
        if isinstance(line, BadLine):
            bad.append(line)
            continue
        try:
            attempts.append(parse(parse_json(line)))
        except UsageError as exc:
            bad.append(BadLine(number, str(exc)))
    return attempts, bad


def store_lines(store: Store, data: bytes, parse: Callable[[object], FixAttempt]) -> RecordResult:
    """Store the attempts of the good lines of ``data`` (new ids only); report the bad ones."""
    attempts, bad = parse_records(data, parse)
    recorded = add_fix_attempts(store, [a.to_row() for a in attempts])
    unique = len({a.id for a in attempts})
    return RecordResult(recorded=recorded, known=unique - recorded, bad=tuple(bad))


def record(store: Store, data: bytes, *, now: float | None = None) -> RecordResult:
    """Store the attempts of the good record lines of ``data``; report the bad ones."""
    stamp = int(clock.time() if now is None else now)
    project = repository_id(store.paths.hookwise_dir)
    return store_lines(store, data, lambda shape: parse_record(shape, now=stamp, project=project))
