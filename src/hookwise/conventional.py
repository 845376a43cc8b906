"""Conventional Commits 1.0 (https://www.conventionalcommits.org/en/v1.0.0/).

``type(scope)!: description``, an optional body one blank line below, and
footers, of which ``BREAKING CHANGE:`` / ``BREAKING-CHANGE:`` mark a breaking
change. Merge commits, reverts and fixup/squash/amend commits are classified
separately so that metrics leave them out instead of counting them as
violations. Standard library only (the store's schema module imports this).

Where this parser and commitizen's ``cz check`` disagree, it is on purpose
and measured: see ``docs/metrics.md`` ("Conventional commits").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The spec: "units of information ... MUST NOT be treated as case sensitive",
# so `Feat:` is a feat; the type is a noun, i.e. letters. A scope is a noun in
# parentheses; like commitizen we refuse whitespace in it. The description is
# whatever follows ": " up to the end of the line, and must say something.
HEADER = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\s]+)\))?(?P<bang>!)?: (?P<description>.*\S.*)$"
)
# A footer starts with a word token (or BREAKING CHANGE, the one token with a
# space) followed by ": " or " #" (spec items 8-10).
FOOTER_TOKEN = re.compile(r"^(?:BREAKING CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #)")
# Spec items 15-16: upper case, then a colon, a space and a description.
BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: \S")
# `git revert` writes `Revert "<subject>"`, and since git 2.43 `Reapply
# "<subject>"` when the reverted commit was itself a revert; GitHub appends
# " (#123)" when such a revert is squash-merged.
REVERT = re.compile(r'^(?:Revert|Reapply) ".*"')
FIXUP = re.compile(r"^(?:fixup|squash|amend)! ")
MERGE_SUBJECT = re.compile(
    r"^Merge (?:branch|branches|pull request|remote-tracking branch|remote branch"
    r"|tag|tags|commit) "
)

# The types commitizen's default rule (cz_conventional_commits) accepts; the
# spec allows any noun. Metrics count compliant commits outside this list.
COMMITIZEN_TYPES = frozenset(
    {
        "build",
        "bump",
        "chore",
        "ci",
        "docs",
        "feat",
        "fix",
        "perf",
        "refactor",
        "revert",
        "style",
        "test",
    }
)

CATEGORIES = ("conventional", "nonconforming", "merge", "revert", "fixup")


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


def _has_breaking_footer(lines: list[str]) -> bool:
    """True when a footer (not body prose) says ``BREAKING CHANGE: ...``.

    Footers follow a blank line; once one has started, every later line that
    starts with a token is a footer too, since a footer's value may span
    lines and paragraphs (spec item 10). A ``BREAKING CHANGE:`` line in the
    middle of a body paragraph is prose, not a footer.
    """
    in_footers = False
    previous_blank = False
    for line in lines:
        if not line.strip():
            previous_blank = True
            continue
        if previous_blank and FOOTER_TOKEN.match(line):
            in_footers = True
        if in_footers and BREAKING_FOOTER.match(line):
            return True
        previous_blank = False
    return False


def parse(message: str, *, is_merge: bool = False) -> Conventional:
    """Classify a whole commit message (subject, blank line, body)."""
    # Only "\n" ends a line, as in git; str.splitlines would also split at
    # form feeds and other separators git keeps inside a subject.
    lines = [line.rstrip("\r") for line in message.lstrip("\r\n").split("\n")]
    subject = lines[0].strip()
    if is_merge or MERGE_SUBJECT.match(subject):
        return Conventional("merge")
    if REVERT.match(subject):
        return Conventional("revert", type="revert")
    if FIXUP.match(subject):
        return Conventional("fixup")
    m = HEADER.match(subject)
    # Spec item 6: the body begins one blank line after the description.
    if m is None or (len(lines) > 1 and lines[1].strip()):
        return Conventional("nonconforming")
    return Conventional(
        "conventional",
        type=m.group("type").lower(),
        scope=m.group("scope"),
        breaking=bool(m.group("bang")) or _has_breaking_footer(lines[1:]),
    )
