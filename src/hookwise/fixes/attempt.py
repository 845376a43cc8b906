"""The fix attempt: a finding, the strategy applied to it, and how it went.

One frozen record per row of the ``fix_attempts`` table, with the same
fields; its JSON (``to_json``) is the row itself, which is what
``hookwise fix export`` writes and ``fix import`` reads back, so the two
round-trip exactly. A confirmation is an attempt too: a later row whose
``confirms`` names the attempt it settles (``hookwise.fixes.memory``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from hookwise.errors import UsageError
from hookwise.fixes.kinds import KINDS
from hookwise.store.fixes import FIX_ATTEMPT_COLUMNS, FixAttemptRow

#: ``suggested``: what ``hookwise check`` showed, waiting for its outcome
#: (``hookwise.learning.pending``); never a vote (``store.fixes.ranking_batches``).
SOURCES = ("auto", "agent", "manual", "suggested")
OUTCOMES = ("success", "failure", "pending")
# The context keys DESIGN §3 names, and the JSON types each may take.
CONTEXT_KEYS: dict[str, tuple[type, ...]] = {
    "language": (str,),
    "project": (str,),
    "complexity": (str, int, float),
    "skill": (str,),
}
# Columns an export made with vectors carries; an import leaves them out,
# since vectors are computed again by the store's embedder.
VECTOR_KEYS = ("embedder", "vector")


@dataclass(frozen=True)
class FixAttempt:
    id: str
    tool: str
    rule: str
    message: str
    path: str
    snippet: str | None
    fingerprint: str
    language: str | None
    strategy: str
    kind: str
    source: str  # auto | agent | manual | suggested
    outcome: str  # success | failure | pending
    commit: str | None
    diff: str | None
    context: str | None  # a JSON object as text, keys sorted (see canonical_context)
    confirms: str | None  # the id of the attempt this row confirms; None for an attempt
    time: int  # when the fix was made (a confirmation: when it was confirmed), epoch seconds
    recorded_at: int  # when hookwise stored the row, epoch seconds

    def to_row(self) -> FixAttemptRow:
        row: FixAttemptRow = asdict(self)  # type: ignore[assignment]
        return row

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON object, columns in the table's order."""
        return dict(self.to_row())

    @classmethod
    def from_row(cls, row: FixAttemptRow) -> FixAttempt:
        return cls(**row)

    @classmethod
    def from_json(cls, shape: object) -> FixAttempt:
        """One exported row, every field checked; ``UsageError`` names what is wrong."""
        if not isinstance(shape, dict):
            raise UsageError(f"a fix attempt is a JSON object, not {_json_type(shape)}")
        unknown = sorted(set(shape) - set(FIX_ATTEMPT_COLUMNS) - set(VECTOR_KEYS))
        if unknown:
            raise UsageError(f"a fix attempt has no field {', '.join(map(repr, unknown))}")
        missing = [key for key in FIX_ATTEMPT_COLUMNS if key not in shape]
        if missing:
            raise UsageError(f"a fix attempt needs {', '.join(map(repr, missing))}")
        context = optional_text(shape, "context")
        if context is not None:
            try:
                parsed = json.loads(context)
            except ValueError:
                raise UsageError("'context' must be a JSON object as text") from None
            if canonical_context(parsed) != context:
                raise UsageError("'context' must be a JSON object as text, keys sorted")
        return cls(
            id=text(shape, "id", empty=False),
            tool=text(shape, "tool", empty=False),
            rule=text(shape, "rule", empty=False),
            message=text(shape, "message"),
            path=text(shape, "path"),
            snippet=optional_text(shape, "snippet"),
            fingerprint=text(shape, "fingerprint", empty=False),
            language=optional_text(shape, "language"),
            strategy=text(shape, "strategy", empty=False),
            kind=choice(shape, "kind", tuple(KINDS)),
            source=choice(shape, "source", SOURCES),
            outcome=choice(shape, "outcome", OUTCOMES),
            commit=optional_text(shape, "commit"),
            diff=optional_text(shape, "diff"),
            context=context,
            confirms=optional_text(shape, "confirms"),
            time=seconds(shape, "time"),
            recorded_at=seconds(shape, "recorded_at"),
        )


def attempt_id(fields: dict[str, Any]) -> str:
    """32 hex digits of a SHA-256 of the attempt's fields (``recorded_at`` left out).

    The same attempt recorded twice gets the same id, so it is stored once;
    128 bits keep two different attempts apart in any store.
    """
    basis = {key: value for key, value in fields.items() if key not in ("id", "recorded_at")}
    text = json.dumps(basis, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def canonical_context(context: object) -> str:
    """A context object as stored: compact JSON text, keys sorted; each known key checked."""
    if not isinstance(context, dict):
        raise UsageError(f"'context' must be a JSON object, not {_json_type(context)}")
    for key, types in CONTEXT_KEYS.items():
        value = context.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
            wanted = "a string" if types == (str,) else "a string or a number"
            raise UsageError(f"the context's {key!r} must be {wanted}, not {value!r}")
    return json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def text(shape: dict[str, Any], key: str, *, empty: bool = True) -> str:
    value = shape.get(key)
    if not isinstance(value, str) or (not empty and not value.strip()):
        wanted = "a string" if empty else "a non-empty string"
        raise UsageError(f"{key!r} must be {wanted}, not {value!r}")
    return value


def optional_text(shape: dict[str, Any], key: str) -> str | None:
    return None if shape.get(key) is None else text(shape, key)


def choice(shape: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = shape.get(key)
    if value not in allowed:
        raise UsageError(f"{key!r} must be one of {', '.join(allowed)}, not {value!r}")
    assert isinstance(value, str)
    return value


def seconds(shape: dict[str, Any], key: str) -> int:
    value = shape.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise UsageError(f"{key!r} must be a time in whole seconds since 1970, not {value!r}")
    return value


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}
    return names.get(type(value), "a number")
