"""Conventional Commits 1.0 (https://www.conventionalcommits.org/en/v1.0.0/).

``type(scope)!: description``, with ``BREAKING CHANGE:`` / ``BREAKING-CHANGE:``
footers. Merge commits, reverts and fixup/squash/amend commits are classified
separately so that metrics can leave them out instead of counting them as
violations. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Types are nouns (letters); a scope is a noun in parentheses without spaces,
# which is also what commitizen's ``cz check`` pattern accepts.
HEADER = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\s]+)\))?(?P<bang>!)?: (?P<description>\S.*)$"
)
BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: \S", re.MULTILINE)
REVERT = re.compile(r'^Revert ".*"\s*$')
FIXUP = re.compile(r"^(fixup|squash|amend)! ")
MERGE_SUBJECT = re.compile(r"^Merge (branch|pull request|remote-tracking branch|tag|commit) ")

# Types that commitizen's default rule (cz_conventional_commits) accepts.
COMMITIZEN_TYPES = frozenset(
    {
        "build",
        "ci",
        "docs",
        "feat",
        "fix",
        "perf",
        "refactor",
        "style",
        "test",
        "chore",
        "revert",
        "bump",
    }
)


@dataclass(frozen=True)
class Conventional:
    category: str  # conventional | nonconforming | merge | revert | fixup
    type: str | None = None  # lower-cased
    scope: str | None = None
    breaking: bool = False

    @property
    def eligible(self) -> bool:
        """Counted for compliance: not a merge, revert or fixup."""
        return self.category in ("conventional", "nonconforming")

    @property
    def valid(self) -> bool:
        return self.category == "conventional"


def parse(message: str, *, is_merge: bool = False) -> Conventional:
    """Classify a whole commit message (subject, blank line, body)."""
    subject, _, rest = message.partition("\n")
    subject = subject.rstrip("\r")
    if is_merge or MERGE_SUBJECT.match(subject):
        return Conventional("merge")
    if REVERT.match(subject):
        return Conventional("revert", type="revert")
    if FIXUP.match(subject):
        return Conventional("fixup")
    m = HEADER.match(subject)
    if m is None:
        return Conventional("nonconforming")
    # A footer is a trailing paragraph; a BREAKING CHANGE line may only start one.
    breaking = bool(m.group("bang")) or bool(BREAKING_FOOTER.search(rest))
    return Conventional(
        "conventional",
        type=m.group("type").lower(),
        scope=m.group("scope"),
        breaking=breaking,
    )
