"""The edit at a finding's place: which hunk of a change touched it, and whether it was deleted.

Fix detection (``fixes.detect``) and history mining (``fixes.learn``) both
start from two versions of one file, the one where a checker reported a
finding at ``line`` and the one after a commit, and ask three questions:

- ``hunk_at``: what did the commit change *there*? The unified-diff hunks
  that overlap the finding's line or come within ``REACH`` lines of it; when
  none does, the one nearest to it (an unused name is often fixed by an
  import at the top of the file). This is the diff a suggestion shows.
- ``touched``: did the commit edit the finding's lines at all? A finding
  still present after a commit that edited its lines is a failed attempt;
  one whose lines were not touched was simply not worked on.
- ``block_removed``: did the finding vanish because its file or its whole
  enclosing block went away? That is not a fix: deleting a function removes
  every finding in it, and teaching "delete the function" would be noise.
  Deleting just the offending statement (an unused import, a dead
  assignment) is a fix, of kind ``delete``.

Pure text in, text out: the callers read the two versions from git.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

#: How many lines either side of a finding an edit may be and still be "at"
#: it: a fix of a long call or a decorator sits a line or two off the line a
#: checker names.
REACH = 3
#: Lines of unchanged context around each hunk in ``hunk_at``'s diff.
CONTEXT = 2
#: A replacement longer than this many lines a side is narrowed to the line
#: at the finding and the line it became (``_narrow``), when one is at
#: least ``NARROW_SIMILARITY`` alike (difflib's ratio: 0.6 keeps
#: ``x: Dict[str, int]`` -> ``x: dict[str, int]`` and drops unrelated lines).
NARROW_ABOVE = 3
NARROW_SIMILARITY = 0.6


@dataclass(frozen=True)
class Hunk:
    """One changed region: lines ``a_start..a_end`` (from 1, end exclusive) became ``b_*``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def distance(self, line: int) -> int:
        """How many lines separate ``line`` (of the old version) from this hunk; 0 inside it."""
        end = max(self.a_end, self.a_start + 1)  # a pure insertion sits between two lines
        if line < self.a_start:
            return self.a_start - line
        if line >= end:
            return line - end + 1
        return 0


def hunks(before: str, after: str) -> list[Hunk]:
    """The changed regions between two versions, in order."""
    return list(_hunks(before, after))


@functools.lru_cache(maxsize=8)
def _hunks(before: str, after: str) -> tuple[Hunk, ...]:
    """``hunks``, with the lines both versions share at their ends left out of difflib.

    difflib compares a 2,000-line file in ~30 ms when blank lines and
    brackets repeat, and a commit usually changes a few lines of it: on
    pytest's history, comparing whole files took 180 s of 210 in
    ``fix learn``. The lines before the first difference and after the
    last are equal by construction, so only the middle is compared. The
    callers ask several questions of one pair of versions (the hunk at a
    finding, whether its block was removed), so the last answers are kept.
    """
    old, new = _lines(before), _lines(after)
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    middle = difflib.SequenceMatcher(
        None, old[start : len(old) - end], new[start : len(new) - end], autojunk=False
    )
    return tuple(
        Hunk(i1 + start + 1, i2 + start + 1, j1 + start + 1, j2 + start + 1)
        for tag, i1, i2, j1, j2 in middle.get_opcodes()
        if tag != "equal"
    )


def near(before: str, after: str, line: int, *, reach: int = REACH) -> list[Hunk]:
    """The hunks within ``reach`` lines of ``line``; else the single nearest one; else none."""
    found = hunks(before, after)
    close = [h for h in found if h.distance(line) <= reach]
    if close or not found:
        return close
    return [min(found, key=lambda h: (h.distance(line), h.a_start))]


def touched(before: str, after: str, line: int, *, reach: int = 1) -> bool:
    """Whether the change edited ``line`` or a line right next to it."""
    return any(h.distance(line) <= reach for h in hunks(before, after))


def hunk_at(before: str, after: str, line: int | None, *, path: str) -> str | None:
    """The unified diff of the change at ``line`` (None: of the first hunks), or None if none.

    Headers name ``a/path`` and ``b/path`` as git does, so the excerpt reads
    like ``git show``; hunks are separate ``@@`` blocks with ``CONTEXT``
    lines around each.
    """
    chosen = near(before, after, line) if line is not None else hunks(before, after)[:1]
    if not chosen:
        return None
    old, new = _lines(before), _lines(after)
    narrowed = [_narrow(hunk, old, new, line) for hunk in chosen] if line is not None else chosen
    # The lines around a narrowed line changed too: showing them as context
    # would show old text as if it were still there.
    context = CONTEXT if narrowed == chosen else 0
    out = [f"--- a/{path}", f"+++ b/{path}"]
    for group in _groups(narrowed):
        first, last = group[0], group[-1]
        lo = max(1, first.a_start - context)
        hi = min(len(old) + 1, max(last.a_end, last.a_start) + context)
        body: list[str] = []
        at = lo  # the next old line to print
        for hunk in group:
            body.extend(" " + text for text in old[at - 1 : hunk.a_start - 1])
            body.extend("-" + text for text in old[hunk.a_start - 1 : hunk.a_end - 1])
            body.extend("+" + text for text in new[hunk.b_start - 1 : hunk.b_end - 1])
            at = hunk.a_end
        body.extend(" " + text for text in old[at - 1 : hi - 1])
        b_lo = lo + (first.b_start - first.a_start)
        a_count = sum(1 for text in body if text[0] in " -")
        b_count = sum(1 for text in body if text[0] in " +")
        out.append(f"@@ -{_range(lo, a_count)} +{_range(b_lo, b_count)} @@")
        out.extend(body)
    return "\n".join(out) + "\n"


def _narrow(hunk: Hunk, old: list[str], new: list[str], line: int) -> Hunk:
    """The part of a long replacement that changed ``line``: its line and the one it became.

    A commit that rewrites twenty lines fixes a finding on one of them; the
    strategy is what happened to that line (``Dict[`` became ``dict[``),
    not "rewrite 20 lines". The line it became is the most similar one of
    the new side near the same offset; when none is similar enough
    (``NARROW_SIMILARITY``), the edit really is a rewrite and stays whole.
    """
    old_count, new_count = hunk.a_end - hunk.a_start, hunk.b_end - hunk.b_start
    if not hunk.a_start <= line < hunk.a_end or max(old_count, new_count) <= NARROW_ABOVE:
        return hunk
    offset = line - hunk.a_start
    guess = hunk.b_start + round(offset * new_count / old_count)
    text = old[line - 1]
    best, best_ratio = None, NARROW_SIMILARITY
    for number in range(
        max(hunk.b_start, guess - NARROW_ABOVE), min(hunk.b_end, guess + NARROW_ABOVE + 1)
    ):
        matcher = difflib.SequenceMatcher(None, text, new[number - 1], autojunk=False)
        if matcher.real_quick_ratio() > best_ratio and matcher.ratio() > best_ratio:
            best, best_ratio = number, matcher.ratio()
    if best is None:
        return hunk
    return Hunk(line, line + 1, best, best + 1)


def block_removed(before: str, after: str | None, line: int | None) -> bool:
    """Whether ``line`` vanished with its file or with the whole block that encloses it.

    The block is found by indentation, which Python defines and braces
    languages follow by convention: the nearest line above with less
    indentation is the block's header (``def``, ``class``, ``if``, a
    function in braces), and the block runs while lines stay indented
    deeper. A top-level statement is its own block only when it opens one
    (it ends with ``:`` or ``{``); otherwise deleting it is deleting the
    offending code, which is a fix.
    """
    if after is None:
        return True
    if line is None:
        return False
    old = _lines(before)
    if not 1 <= line <= len(old):
        return False
    start, end = _block(old, line)
    if start is None:
        return False
    return any(
        h.a_start <= start and h.a_end >= end and h.b_end - h.b_start < (end - start)
        for h in hunks(before, after)
    )


def block_span(lines: list[str], line: int) -> tuple[int, int]:
    """The first and last line (from 1) of the block enclosing ``line``; a lone
    statement is a block of its own line."""
    first, end = _block(lines, line)
    return (line, line) if first is None else (first, end - 1)


def _block(lines: list[str], line: int) -> tuple[int | None, int]:
    """The enclosing block of ``line`` as (first, last + 1), or (None, 0) for a lone statement."""
    index = line - 1
    level = _indent(lines[index])
    header = None
    if lines[index].rstrip().endswith((":", "{")):
        header = index
    else:
        for i in range(index - 1, -1, -1):
            if lines[i].strip() and _indent(lines[i]) < level:
                header = i
                break
    if header is None or not lines[header].rstrip().endswith((":", "{", "(")):
        return None, 0
    depth = _indent(lines[header])
    end = header + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > depth):
        end += 1
    while end > header + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines after a block belong to no block: a diff may keep them
    if end < len(lines) and lines[end].strip() in ("}", "};", ")"):
        end += 1  # the closing brace belongs to the block
    return header + 1, end + 1


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _groups(chosen: list[Hunk]) -> list[list[Hunk]]:
    """Runs of hunks whose context would overlap, each printed as one ``@@`` block."""
    groups: list[list[Hunk]] = []
    for hunk in sorted(chosen, key=lambda h: h.a_start):
        if (
            groups
            and hunk.a_start - max(groups[-1][-1].a_end, groups[-1][-1].a_start) <= 2 * CONTEXT
        ):
            groups[-1].append(hunk)
        else:
            groups.append([hunk])
    return groups


def _range(start: int, count: int) -> str:
    if count == 0:
        return f"{start - 1},0"
    return str(start) if count == 1 else f"{start},{count}"


def _lines(text: str) -> list[str]:
    return text.splitlines()
