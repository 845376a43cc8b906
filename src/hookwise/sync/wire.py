"""The sync payload, version 1: day summaries and fix patterns, checked field by field.

One source of truth for both ends: each model's fields carry a ``Spec``
(type and bounds) in their dataclass metadata; ``from_json`` validates
against it, naming the field that is wrong (``summaries[3].merges``), and
``json_schema`` writes the same specs as the JSON Schema the aggregator
publishes in its OpenAPI document. The client (core install) and the server
therefore accept exactly the same payloads.

What a payload holds, and what it never holds:

- ``DaySummary``: one repository's day: commits, the distinct authors as
  ``author_id`` hashes (never a name or an email), merges and conflicted
  merges, branch switches, active branches, Conventional Commits eligible
  and compliant, sessions, check runs, and fix attempts and successes per
  tool, rule and strategy kind. Keyed on (repository, day): sending a day
  again replaces it. ``active_branches`` came after the first release, so
  it may be absent (a client of that release): then it is None, "not
  reported", never a zero that a chart would draw as "no branch had work".
- ``FixPattern``: what worked on a kind of finding: the tool, the rule, a
  signature of the finding without its code, the strategy, its decayed
  success rate and support. A code ``example`` only when the user opts in.

Bounds: a repository name is what a URL path can carry without escaping;
counts stop at ``MAX_COUNT`` (a million commits in one day is a bug, not a
busy team); a batch holds at most ``MAX_SUMMARIES`` days (more than two
years of one repository) and ``MAX_PATTERNS`` patterns, so the aggregator
can bound a request at ``MAX_BATCH_BYTES`` before it reads it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, TypeVar

from hookwise.errors import WireFormatError

WIRE_VERSION = 1
MAX_COUNT = 1_000_000
MAX_SUMMARIES = 1_000
MAX_PATTERNS = 2_000
MAX_AUTHORS = 1_000
MAX_FIX_TALLIES = 500
MAX_EXAMPLE_CHARS = 4_000
# A full batch of MAX_SUMMARIES days with a few authors and tallies each is
# about 1.5 MB of JSON; 4 MiB leaves room and still bounds what one request
# can make the server hold.
MAX_BATCH_BYTES = 4 * 1024 * 1024

REPO_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
AUTHOR_PATTERN = r"^[0-9a-f]{64}$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

M = TypeVar("M", bound="Model")


@dataclass(frozen=True)
class Spec:
    """What one field accepts: a JSON type and its bounds."""

    kind: str  # integer | number | string | day | array | object
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None  # characters of a string, items of an array
    pattern: str | None = None
    items: Spec | None = None  # an array's items
    model: type[Model] | None = None  # an object's (or array item's) model
    optional: bool = False  # may be absent or null (then None)
    unique: bool = False  # an array's items are distinct


def _spec(spec: Spec) -> Any:
    return field(metadata={"spec": spec})


def _count() -> Any:
    return _spec(Spec("integer", minimum=0, maximum=MAX_COUNT))


def _optional_count() -> Any:
    return field(
        default=None,
        metadata={"spec": Spec("integer", minimum=0, maximum=MAX_COUNT, optional=True)},
    )


def _text(max_length: int, *, pattern: str | None = None, optional: bool = False) -> Any:
    return _spec(Spec("string", max_length=max_length, pattern=pattern, optional=optional))


def author_id(email: str) -> str:
    """The hash a summary carries for an author: sha256 of the trimmed, lower-cased email.

    The same person counts once across repositories (so the portfolio can
    count active authors), and the aggregator never learns who it is.
    """
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


class Model:
    """A wire model: a frozen dataclass whose fields carry their ``Spec``."""

    checks: ClassVar[tuple[tuple[str, str], ...]] = ()  # (small, large): small <= large unless None

    @classmethod
    def from_json(cls: type[M], obj: Any, where: str = "") -> M:
        """Validate ``obj`` (parsed JSON) field by field; ``WireFormatError`` names the field."""
        if not isinstance(obj, dict):
            raise WireFormatError(where or "body", "must be a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        for key in obj:
            if key not in names:
                raise WireFormatError(_at(where, str(key)), "is not a field of this payload")
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            spec: Spec = f.metadata["spec"]
            values[f.name] = _value(spec, obj.get(f.name), _at(where, f.name))
        for small, large in cls.checks:
            if values[small] is not None and values[small] > values[large]:
                raise WireFormatError(
                    _at(where, small),
                    f"must not be larger than {large} ({values[small]} > {values[large]})",
                )
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {f.name: _out(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _out(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_json()
    if isinstance(value, tuple):
        return [_out(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _value(spec: Spec, value: Any, where: str) -> Any:
    if value is None:
        if spec.optional:
            return None
        raise WireFormatError(where, "is required")
    if spec.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise WireFormatError(where, "must be a whole number")
        return _bounded(spec, value, where)
    if spec.kind == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise WireFormatError(where, "must be a finite number")
        return _bounded(spec, float(value), where)
    if spec.kind in ("string", "day"):
        return _string(spec, value, where)
    if spec.kind == "object":
        assert spec.model is not None
        return spec.model.from_json(value, where)
    if not isinstance(value, list):
        raise WireFormatError(where, "must be a JSON array")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise WireFormatError(where, f"holds {len(value)} items; at most {spec.max_length} fit")
    assert spec.items is not None
    items = tuple(_value(spec.items, v, f"{where}[{i}]") for i, v in enumerate(value))
    if spec.unique and len(set(items)) != len(items):
        raise WireFormatError(where, "holds the same item twice")
    return items


def _bounded(spec: Spec, value: float, where: str) -> Any:
    if spec.minimum is not None and value < spec.minimum:
        raise WireFormatError(where, f"must be at least {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise WireFormatError(where, f"must be at most {spec.maximum:g}")
    return value


def _string(spec: Spec, value: Any, where: str) -> Any:
    if not isinstance(value, str):
        raise WireFormatError(where, "must be a string")
    if not value:
        raise WireFormatError(where, "must not be empty")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise WireFormatError(where, f"is {len(value)} characters long; at most {spec.max_length}")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise WireFormatError(where, f"{value[:80]!r} does not match {spec.pattern}")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise WireFormatError(where, "holds control characters")
    if spec.kind == "day":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise WireFormatError(where, f"{value!r} is not a calendar day (YYYY-MM-DD)") from None
    return value


@dataclass(frozen=True)
class FixTally(Model):
    """Fix attempts on one day at one tool and rule with one kind of strategy."""

    tool: str = _text(64)
    rule: str = _text(128)
    kind: str = _text(64)
    attempts: int = _count()
    successes: int = _count()

    checks = (("successes", "attempts"),)


@dataclass(frozen=True)
class DaySummary(Model):
    """One repository's day (in the committers' own time zones)."""

    repo: str = _text(128, pattern=REPO_PATTERN)
    day: date = _spec(Spec("day", max_length=10, pattern=DAY_PATTERN))  # noqa: RUF009
    commits: int = _count()
    authors: tuple[str, ...] = _spec(
        Spec(
            "array",
            max_length=MAX_AUTHORS,
            items=Spec("string", max_length=64, pattern=AUTHOR_PATTERN),
            unique=True,
        )
    )
    merges: int = _count()
    conflicted_merges: int = _count()
    branch_switches: int = _count()
    cc_eligible: int = _count()
    cc_compliant: int = _count()
    sessions: int = _count()
    checks_run: int = _count()
    fixes: tuple[FixTally, ...] = _spec(
        Spec("array", max_length=MAX_FIX_TALLIES, items=Spec("object", model=FixTally))
    )
    # Distinct named branches with a commit that day; None when the client predates it.
    active_branches: int | None = _optional_count()

    # A branch is active through a commit on it, so there are never more branches than commits.
    checks = (
        ("conflicted_merges", "merges"),
        ("cc_compliant", "cc_eligible"),
        ("active_branches", "commits"),
    )


@dataclass(frozen=True)
class FixPattern(Model):
    """A strategy that worked (or not) on a kind of finding in one repository."""

    repo: str = _text(128, pattern=REPO_PATTERN)
    tool: str = _text(64)
    rule: str = _text(128)
    signature: str = _text(300)  # the finding's message with code, paths and names taken out
    strategy: str = _text(200)
    kind: str = _text(64)
    success: float = _spec(Spec("number", minimum=0.0, maximum=1.0))  # decayed success rate
    support: float = _spec(Spec("number", minimum=0.0, maximum=MAX_COUNT))  # decayed attempts
    example: str | None = _text(MAX_EXAMPLE_CHARS, optional=True)  # code, only when opted in


@dataclass(frozen=True)
class SummaryBatch(Model):
    """What one ``POST /api/v1/summaries`` carries."""

    version: int = _spec(Spec("integer", minimum=WIRE_VERSION, maximum=WIRE_VERSION))
    summaries: tuple[DaySummary, ...] = _spec(
        Spec("array", max_length=MAX_SUMMARIES, items=Spec("object", model=DaySummary))
    )
    patterns: tuple[FixPattern, ...] = _spec(
        Spec("array", max_length=MAX_PATTERNS, items=Spec("object", model=FixPattern))
    )


@dataclass(frozen=True)
class SharedPattern(Model):
    """A strategy on a kind of finding, pooled over the repositories that reported it."""

    tool: str = _text(64)
    rule: str = _text(128)
    signature: str = _text(300)
    strategy: str = _text(200)
    kind: str = _text(64)
    success: float = _spec(Spec("number", minimum=0.0, maximum=1.0))  # support-weighted mean
    support: float = _spec(Spec("number", minimum=0.0))  # summed over the repositories
    repos: tuple[str, ...] = _spec(
        Spec("array", items=Spec("string", max_length=128, pattern=REPO_PATTERN), unique=True)
    )


@dataclass(frozen=True)
class PatternExport(Model):
    """What ``GET /api/v1/patterns/export`` returns, and ``sync --pull`` reads."""

    version: int = _spec(Spec("integer", minimum=WIRE_VERSION, maximum=WIRE_VERSION))
    patterns: tuple[SharedPattern, ...] = _spec(
        Spec("array", items=Spec("object", model=SharedPattern))
    )


# -- JSON Schema ------------------------------------------------------------------


def json_schema() -> dict[str, dict[str, Any]]:
    """The models as JSON Schema definitions, named as the classes are (OpenAPI components)."""
    models = (FixTally, DaySummary, FixPattern, SummaryBatch, SharedPattern, PatternExport)
    return {m.__name__: _model_schema(m) for m in models}


def _model_schema(model: type[Model]) -> dict[str, Any]:
    fields = dataclasses.fields(model)  # type: ignore[arg-type]
    return {
        "type": "object",
        "description": (model.__doc__ or "").strip(),
        "additionalProperties": False,
        "required": [f.name for f in fields if not f.metadata["spec"].optional],
        "properties": {f.name: _schema(f.metadata["spec"]) for f in fields},
    }


def _schema(spec: Spec) -> dict[str, Any]:
    if spec.model is not None:
        return {"$ref": f"#/components/schemas/{spec.model.__name__}"}
    out: dict[str, Any]
    if spec.kind == "array":
        assert spec.items is not None
        out = {"type": "array", "items": _schema(spec.items)}
        if spec.max_length is not None:
            out["maxItems"] = spec.max_length
        if spec.unique:
            out["uniqueItems"] = True
    elif spec.kind in ("string", "day"):
        out = {"type": "string", "minLength": 1}
        if spec.kind == "day":
            out["format"] = "date"
        if spec.max_length is not None:
            out["maxLength"] = spec.max_length
        if spec.pattern is not None:
            out["pattern"] = spec.pattern
    else:
        out = {"type": spec.kind}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
    if spec.optional:
        out = {"anyOf": [out, {"type": "null"}]}
    return out
