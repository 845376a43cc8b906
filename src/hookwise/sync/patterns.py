"""Fix patterns as a sync sends them: what worked on a kind of finding, without its code.

A pattern is one (tool, rule, signature, strategy) of this repository's
fix memory: its decayed success rate and support. The *signature* is the
finding's message with what names this project's code taken out, so the
same problem in another project has the same signature and the aggregator
can pool them: quoted names become ``<name>`` (ruff's "`os` imported but
unused" -> "`<name>` imported but unused"), paths ``<path>`` and numbers
``N``. Snippets, paths and diffs never leave the machine, except a diff
as ``example`` when the repository opts in (``include_code = true``).

Decay as ``hookwise.fixes.decay`` measures it: each attempt counts
``2 ** (-age / HALF_LIFE_DAYS)`` with its age behind the pattern's newest
attempt, so a pattern nobody used for a year still carries its evidence,
while within a pattern recent outcomes outweigh old ones. 90 days is the
half-life docs/learning.md measured against; support is the decayed
number of attempts, success the decayed share of successes.

Only settled attempts speak (success or failure; a pending one has no
outcome yet), and never ``suggested`` rows, which record what hookwise
proposed rather than what someone did, as ``hookwise health`` counts them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from hookwise.fixes.decay import relative_decay
from hookwise.fixes.memory import CurrentAttempt
from hookwise.sync.wire import MAX_EXAMPLE_CHARS, MAX_PATTERNS, FixPattern

HALF_LIFE_DAYS = 90.0
SETTLED = ("success", "failure")

_QUOTED = re.compile(r"`[^`\n]*`|\"[^\"\n]*\"|'[^'\s]+'")
_PATH = re.compile(r"(?<![\w<])(?:[\w.-]+)?(?:[/\\][\w.-]+)+")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def signature(message: str) -> str:
    """``message`` with names, paths and numbers taken out (the module docstring)."""
    text = _QUOTED.sub(lambda m: f"{m.group(0)[0]}<name>{m.group(0)[0]}", message)
    text = _PATH.sub("<path>", text)
    text = _NUMBER.sub("N", text)
    return clean(text, 300) or "(no message)"


def clean(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, without control characters."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def settled(attempts: Iterable[CurrentAttempt]) -> list[CurrentAttempt]:
    return [c for c in attempts if c.outcome in SETTLED and c.attempt.source != "suggested"]


def fix_patterns(
    attempts: Sequence[CurrentAttempt], repo: str, *, include_code: bool = False
) -> list[FixPattern]:
    """The repository's patterns, most supported first, at most ``wire.MAX_PATTERNS``."""
    groups: dict[tuple[str, str, str, str], list[CurrentAttempt]] = defaultdict(list)
    for current in settled(attempts):
        a = current.attempt
        key = (clean(a.tool, 64), clean(a.rule, 128), signature(a.message), clean(a.strategy, 200))
        if all(key):
            groups[key].append(current)
    if not groups:
        return []
    members = [(g, c) for g, rows in enumerate(groups.values()) for c in rows]
    times = np.array([c.attempt.time for _, c in members], dtype=np.int64)
    group_of = np.array([g for g, _ in members], dtype=np.int64)
    weights = relative_decay(times, group_of, len(groups), HALF_LIFE_DAYS)
    support = np.bincount(group_of, weights=weights, minlength=len(groups))
    won = np.array([c.outcome == "success" for _, c in members], dtype=np.float64)
    success = np.bincount(group_of, weights=weights * won, minlength=len(groups))
    patterns = []
    for g, ((tool, rule, sig, strategy), rows) in enumerate(groups.items()):
        newest = max(rows, key=lambda c: (c.attempt.time, c.attempt.id))
        kinds = Counter(c.attempt.kind for c in rows)
        top = max(kinds.values())
        # The most frequent kind; among equals, the newest attempt's.
        kind = (
            newest.attempt.kind
            if kinds[newest.attempt.kind] == top
            else min(k for k, n in kinds.items() if n == top)
        )
        patterns.append(
            FixPattern(
                repo=repo,
                tool=tool,
                rule=rule,
                signature=sig,
                strategy=strategy,
                kind=kind,
                success=round(min(1.0, float(success[g] / support[g])), 6),
                support=round(float(support[g]), 6),
                example=_example(rows) if include_code else None,
            )
        )
    patterns.sort(key=lambda p: (-p.support, p.tool, p.rule, p.signature, p.strategy))
    return patterns[:MAX_PATTERNS]


def _example(rows: Sequence[CurrentAttempt]) -> str | None:
    """The newest successful attempt's diff, cut to what the wire carries."""
    worked = [c.attempt for c in rows if c.outcome == "success" and c.attempt.diff]
    if not worked:
        return None
    diff = max(worked, key=lambda a: (a.time, a.id)).diff or ""
    text = _CONTROL.sub("", diff)[:MAX_EXAMPLE_CHARS]
    return text if text.strip() else None
