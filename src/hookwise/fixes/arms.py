"""The arms of an online A/B test: which recommender configuration answers which finding.

Two arms are configured under ``[tool.hookwise.ab]`` (``hookwise.checks.config.load_arms``);
each finding is answered by one of them, the same one at every check, and
the arm is stored with what was shown, so ``hookwise eval --online`` can
compare how often each arm's suggestions were taken (docs/online-ab.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from hookwise.fixes.recommend import RecommendConfig

Arm = tuple[str, RecommendConfig]


def arm_of(finding_fingerprint: str, names: Sequence[str]) -> str:
    """The arm that answers a finding: a stable hash of its fingerprint (docs/online-ab.md).

    Salted, so that the split owes nothing to any other use of the
    fingerprint; the same finding gets the same arm at every check, on any
    machine. 10,000 random fingerprints split 4,992 / 5,008
    (``tests/fixes/test_suggest.py``).
    """
    digest = hashlib.sha256(b"hookwise-ab\0" + finding_fingerprint.encode()).digest()
    return names[int.from_bytes(digest[:8], "big") % len(names)]


def arm_configs(
    arms: Sequence[tuple[str, dict[str, int | float]]], base: RecommendConfig
) -> tuple[Arm, ...]:
    """Each configured arm's name and ``base`` with the arm's overrides."""
    return tuple((name, replace(base, **overrides)) for name, overrides in arms)  # type: ignore[arg-type]
