"""Which findings one commit fixed in one file, from a checker's findings on both versions.

The rule of DESIGN §1 step 4, applied to history: a finding of the version
before the commit whose fingerprint is absent from the version after it was
fixed by the commit, unless

- its whole enclosing block went with it (``hunks.block_removed``): deleting
  a function removes every finding in it and teaches nothing;
- the same rule still reports the same message at the same place after the
  commit (the lines were edited, so the snippet and with it the fingerprint
  changed, but the problem stayed: a long line rewritten into another long
  line). Numbers in messages are ignored for this (``Line too long (95 >
  88)`` and ``(97 > 88)`` are the same problem), names are not (an unused
  ``a`` removed from ``from m import a, b`` is fixed while ``b`` stays).

A file that was deleted never reaches here (``git.changes`` lists modified
files only). Each fix becomes a fix attempt built by ``fixes.record``'s
parser, as a recorded line would be, with outcome ``success``, source
``auto``, the commit and its committer time, the diff at the finding
(``hunks.hunk_at``) and the strategy ``strategy.describe`` reads from it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from hookwise.checks.findings import Finding, language_of
from hookwise.checks.fingerprint import fingerprints, snippet_at
from hookwise.errors import UsageError
from hookwise.fixes.attempt import FixAttempt
from hookwise.fixes.context import SourceFile, attempt_context
from hookwise.fixes.hunks import Hunk, block_removed, hunk_at, hunks
from hookwise.fixes.record import parse_record
from hookwise.fixes.strategy import describe

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class FileChange:
    """One file of one commit: both versions as text, and the commit's sha and time."""

    commit: str
    time: int  # committer time, epoch seconds
    path: str
    before: str
    after: str


@dataclass(frozen=True)
class Mined:
    """What one file change taught: its fixes, and the gone findings that were none."""

    attempts: tuple[FixAttempt, ...]
    block_removed: int  # gone with their whole block
    still_failing: int  # the same problem still reported at the same place
    unparsed: int = 0  # gone, but the version after the commit does not parse


def fixes_in(
    change: FileChange,
    before: Sequence[Finding],
    after: Sequence[Finding],
    *,
    now: int,
    syntax_rules: Collection[str] = (),
    project: str | None = None,
) -> Mined:
    """The fixes ``change`` made to the findings ``before``; ``after`` are the new version's.

    The findings' paths may be anything (where the checker saw the file);
    they are given ``change.path`` and snippets from ``change``'s texts, so
    fingerprints are those ``hookwise check`` computes in the repository.

    ``syntax_rules`` are the checker's "could not parse" rules. A version
    that does not parse hides the findings a parse would show: when the
    version after the commit does not parse, nothing is learned (on
    pytest's history, 792 findings of Python 2 files "vanished" so, and
    were taken for fixes named after unrelated edits); when only the one
    before does not, its syntax errors alone are judged, as its other
    findings came from a parser that gave up.

    Each attempt's context is ``project``, the language and the complexity
    at the finding in the version before the commit (parsed once per call).
    """
    old = _placed(before, change.path, change.before)
    new = _placed(after, change.path, change.after)
    present = {print_ for _, print_ in new}
    gone = [finding for finding, print_ in old if print_ not in present]
    if any(f.rule in syntax_rules for f in after):
        return Mined((), 0, 0, len(gone))
    if any(f.rule in syntax_rules for f in before):
        gone = [f for f in gone if f.rule in syntax_rules]
    if not gone:
        return Mined((), 0, 0)
    changed = hunks(change.before, change.after)
    attempts: list[FixAttempt] = []
    removed = failing = 0
    source = SourceFile(change.before, language_of(change.path))
    for finding in gone:
        if block_removed(change.before, change.after, finding.line):
            removed += 1
            continue
        if _still_reported(finding, [f for f, _ in new], changed):
            failing += 1
            continue
        attempt = _attempt(change, finding, now, source, project)
        if attempt is not None:
            attempts.append(attempt)
    return Mined(tuple(attempts), removed, failing)


def _placed(findings: Sequence[Finding], path: str, text: str) -> list[tuple[Finding, str]]:
    """The findings at ``path`` with their snippets, in file order, with their fingerprints."""
    lines = text.splitlines()
    placed = sorted(
        (
            finding.replace(
                path=path,
                snippet=finding.snippet or snippet_at(lines, finding.line, finding.end_line),
            )
            for finding in findings
        ),
        key=lambda f: (f.line or 0, f.column or 0, f.rule, f.message),
    )
    return list(zip(placed, fingerprints(placed), strict=True))


def _still_reported(finding: Finding, after: Sequence[Finding], changed: Sequence[Hunk]) -> bool:
    if finding.line is None:
        return False
    low, high = _moved(finding.line, changed)
    message = _NUMBER.sub("N", finding.message)
    return any(
        other.rule == finding.rule
        and other.line is not None
        and low - 1 <= other.line <= high
        and _NUMBER.sub("N", other.message) == message
        for other in after
    )


def _moved(line: int, changed: Sequence[Hunk]) -> tuple[int, int]:
    """Where ``line`` of the old version is in the new one: first and last line (from 1)."""
    shift = 0
    for hunk in changed:
        if line < hunk.a_start:
            break
        if line < hunk.a_end:  # edited: anywhere in what replaced it
            return hunk.b_start, max(hunk.b_end - 1, hunk.b_start)
        shift += (hunk.b_end - hunk.b_start) - (hunk.a_end - hunk.a_start)
    return line + shift, line + shift


def _attempt(
    change: FileChange, finding: Finding, now: int, source: SourceFile, project: str | None
) -> FixAttempt | None:
    diff = hunk_at(change.before, change.after, finding.line, path=change.path)
    if diff is None:
        return None
    strategy = describe(diff)
    shape = {
        "finding": finding.to_json(),
        "strategy": strategy.name,
        "kind": strategy.kind,
        "outcome": "success",
        "time": datetime.fromtimestamp(change.time, UTC).isoformat(),
        "context": attempt_context(
            project=project, language=finding.language, source=source, line=finding.line
        ),
        "diff": diff,
        "source": "auto",
        "commit": change.commit,
    }
    try:
        return parse_record(shape, now=now, sources=("auto",))
    except UsageError:
        return None  # a commit dated before 1970, or a checker that named no rule
