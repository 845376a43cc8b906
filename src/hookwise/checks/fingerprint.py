"""A finding's stable id: the same problem keeps it while the file moves around it.

Fix memory needs to know, after a commit, whether a finding it saw before
is still there. The line number cannot say: one import added at the top of
a file moves every finding below it. What stays is the rule, the file and
the code the finding points at, so the fingerprint is a hash of

    rule + path + normalised snippet

where the snippet is the source line(s) at the finding (at most
``MAX_SNIPPET_LINES``) with runs of whitespace collapsed to one space:
re-indenting a block keeps its findings' ids, while any change to an
identifier or a literal on the line gives a new id (the finding may have
been fixed and another made). Where the source cannot be read (a deleted
file, a finding without a line), the message stands in for the snippet,
with ``line N`` references taken out, since those move too.

Two findings of the same rule on identical lines of one file (two
``import os``) share a fingerprint; ``fingerprints`` tells them apart by
their order in the file, which unrelated edits do not change either.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter

# typing is not loaded on the check path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    from hookwise.checks.findings import Finding

#: A finding spans at most this many lines of its snippet: enough for a call
#: split over a few lines, and a class-wide finding does not hash the class.
MAX_SNIPPET_LINES = 5
_LINE_REFERENCE = r"\bline \d+\b"


def normalise(text: str) -> str:
    """Runs of whitespace (newlines included) as one space, none at the ends."""
    return " ".join(text.split())


def fingerprint(finding: Finding) -> str:
    """20 hex digits (80 bits): collisions stay unlikely in a store of millions of findings."""
    snippet = normalise(finding.snippet or "")
    if snippet:
        basis = ("snippet", snippet)
    else:
        basis = ("message", re.sub(_LINE_REFERENCE, "line #", normalise(finding.message)))
    text = "\x1f".join((finding.rule, finding.path, *basis))
    digest: str = _sha256()(text.encode()).hexdigest()
    return digest[:20]


@functools.cache
def _sha256() -> Callable[[bytes], Any]:
    """SHA-256 from Python's own implementation where it has one.

    The same digest as ``hashlib.sha256``, but ``hashlib`` loads OpenSSL's
    ``_hashlib`` first: ~4 ms on ``hookwise check``'s path, for hashing a
    few hundred bytes per finding.
    """
    for name in ("_sha2", "_sha256"):  # Python 3.12 and later, 3.11
        try:
            module = __import__(name)
        except ImportError:
            continue
        found: Callable[[bytes], Any] = module.sha256
        return found
    from hashlib import sha256

    return sha256


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One id per finding, in order; the n-th repeat of an id gets ``:n`` added."""
    seen: Counter[str] = Counter()
    ids = []
    for finding in findings:
        base = fingerprint(finding)
        ids.append(base if seen[base] == 0 else f"{base}:{seen[base]}")
        seen[base] += 1
    return ids


def snippet_at(lines: Sequence[str], line: int | None, end_line: int | None = None) -> str | None:
    """The source lines a finding spans (1-based, inclusive), or None when out of range."""
    if line is None or not 1 <= line <= len(lines):
        return None
    last = min(end_line or line, line + MAX_SNIPPET_LINES - 1, len(lines))
    return "\n".join(lines[line - 1 : max(last, line)])


def with_snippets(findings: Iterable[Finding], root: str | os.PathLike[str]) -> list[Finding]:
    """The findings with their snippets read from the files under ``root``.

    A finding that already has a snippet keeps it; one whose file cannot be
    read (deleted, binary, outside ``root``) stays without, so its
    fingerprint falls back to the message.
    """
    sources: dict[str, list[str] | None] = {}
    filled = []
    for finding in findings:
        if finding.snippet is None:
            if finding.path not in sources:
                sources[finding.path] = _read_lines(root, finding.path)
            lines = sources[finding.path]
            snippet = None if lines is None else snippet_at(lines, finding.line, finding.end_line)
            if snippet is not None:
                finding = finding.replace(snippet=snippet)
        filled.append(finding)
    return filled


def _read_lines(root: str | os.PathLike[str], path: str) -> list[str] | None:
    try:
        with open(os.path.join(root, path), encoding="utf-8") as fh:  # noqa: PTH118
            return fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
