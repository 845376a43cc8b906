"""Arms: named configurations of the recommender, from ``NAME:key=value[,key=value]``.

The keys are ``RecommendConfig``'s fields, found with ``dataclasses.fields``
and typed from each field's annotation, so a field added to the config is
an arm's key with no change here; ``embedder=NAME`` (a name of the embedder
registry) re-embeds the attempts with that embedder for the arm. Every
evaluation also scores ``default`` (``RecommendConfig()`` with the store's
embedder) and the two baselines (``hookwise.learning.baselines``), which
no arm may be named after.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hookwise.embed import EMBEDDERS
from hookwise.errors import UsageError
from hookwise.fixes.recommend import RecommendConfig

DEFAULT = "default"
GLOBAL_MAJORITY = "global majority"
RULE_MAJORITY = "rule majority"
BASELINES = (RULE_MAJORITY, GLOBAL_MAJORITY)
EMBEDDER_KEY = "embedder"
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True)
class Arm:
    """One column of an evaluation: a recommender configuration, or a baseline."""

    name: str
    config: RecommendConfig | None  # None for a baseline
    embedder: str | None = None  # a registry name; None: the store's own
    settings: tuple[tuple[str, str], ...] = ()  # the keys given, as given

    @property
    def baseline(self) -> bool:
        return self.config is None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "baseline": self.baseline,
            "embedder": self.embedder,
            "settings": dict(self.settings),
            "config": None if self.config is None else dataclasses.asdict(self.config),
        }


def parse_arm(spec: str) -> Arm:
    """The arm ``NAME[:key=value[,key=value]]``; ``UsageError`` names the arm and the key."""
    name, _, rest = spec.partition(":")
    name = name.strip()
    if not name:
        raise UsageError(f"the arm {spec!r} has no name; write NAME:key=value[,key=value]")
    if name in (DEFAULT, *BASELINES):
        raise UsageError(f"the arm name {name!r} is taken: that arm is always scored")
    hints = typing.get_type_hints(RecommendConfig)
    known = {f.name: hints[f.name] for f in dataclasses.fields(RecommendConfig)}
    changes: dict[str, Any] = {}
    embedder = None
    settings: list[tuple[str, str]] = []
    for part in (p.strip() for p in rest.split(",")) if rest.strip() else ():
        key, equals, value = (s.strip() for s in part.partition("="))
        if not equals or not key:
            raise UsageError(f"arm {name!r}: {part!r} is not key=value")
        if key in changes or (key == EMBEDDER_KEY and embedder is not None):
            raise UsageError(f"arm {name!r}: {key!r} is given twice")
        if key == EMBEDDER_KEY:
            if value not in EMBEDDERS:
                choices = ", ".join(sorted(EMBEDDERS))
                raise UsageError(f"arm {name!r}: no embedder {value!r}; choose one of: {choices}")
            embedder = value
        elif key in known:
            try:
                changes[key] = parse_value(value, known[key])
            except ValueError as exc:
                raise UsageError(f"arm {name!r}: {key} {exc}") from None
        else:
            keys = ", ".join([*sorted(known), EMBEDDER_KEY])
            raise UsageError(f"arm {name!r}: no key {key!r}; the keys are: {keys}")
        settings.append((key, value))
    return Arm(name, RecommendConfig(**changes), embedder, tuple(settings))


def parse_value(value: str, kind: Any) -> Any:
    """``value`` as the annotation ``kind`` wants it (bool, int, float, str, or X | None).

    Numbers must be finite and not negative: every count and weight of the
    recommender is.
    """
    options = typing.get_args(kind) if isinstance(kind, types.UnionType) else (kind,)
    if type(None) in options and value.lower() in ("none", "null"):
        return None
    wanted = [o for o in options if o is not type(None)]
    if bool in wanted:
        if value.lower() in (*_TRUE, *_FALSE):
            return value.lower() in _TRUE
        raise ValueError(f"must be true or false, not {value!r}")
    for number in (int, float):
        if number in wanted:
            try:
                parsed: float = number(value)
            except ValueError:
                what = "a whole number" if number is int else "a number"
                raise ValueError(f"must be {what}, not {value!r}") from None
            if not math.isfinite(parsed) or parsed < 0:
                raise ValueError(f"must be a finite number of at least 0, not {value!r}")
            return parsed
    if str in wanted:
        return value
    raise ValueError(f"cannot be set from text (its type is {kind})")


def arms_of(specs: Sequence[str]) -> list[Arm]:
    """The arms given, in order, then ``default`` and the baselines (the first is the
    reference the others' differences are measured against)."""
    given = [parse_arm(spec) for spec in specs]
    seen: set[str] = set()
    for arm in given:
        if arm.name in seen:
            raise UsageError(f"two arms are named {arm.name!r}; give each its own name")
        seen.add(arm.name)
    baselines = [Arm(name, None) for name in BASELINES]
    return [*given, Arm(DEFAULT, RecommendConfig()), *baselines]
