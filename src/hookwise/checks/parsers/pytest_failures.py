"""pytest: one finding per failing or erroring test.

What is read, and why it holds across the ways pytest is run:

- **Which tests failed** comes from the short test summary, ``FAILED id``
  and ``ERROR id`` lines. pytest prints them by default (``-rfE`` since
  pytest 6; ``-ra`` and ``-q`` keep them), they carry the full test id
  (``path::Class::test[param]``), and their format has been stable since
  pytest 3.
- **The exception and the place** come from the failure's section of the
  traceback (``____ Class.test[param] ____``): its ``E   Type: message``
  line, whole (the summary line cuts the message to the terminal's width:
  "invalid li..."), and its deepest ``path:line:`` frame. With the default
  ``--tb=auto`` and ``--tb=long`` that frame reads ``path:line: Type``,
  with ``--tb=short`` ``path:line: in function``; both are read. The
  deepest frame under the rootdir (a relative path) is taken, so a failure
  raised inside a library points at the project's own line that called it.
- With ``--tb=no`` or ``--tb=line`` there are no sections: the summary's
  ``Type: message`` is used as it is and the place is the test's file,
  without a line.

The rule is the exception type (``AssertionError``, ``ValueError``): what
kind of fix it needs. The message is pytest's own summary line, in full:
``tests/test_a.py::test_x - ValueError: ...``.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque

from hookwise.checks.findings import Finding
from hookwise.checks.parsers.base import CheckerOutput, NamedParser, relative_path

# Compiled (and cached by ``re``) when first matched.
_SUMMARY = r"^(?P<kind>FAILED|ERROR) (?P<id>.+?)(?: - (?P<rest>.*))?$"
_HEADING = r"^_{2,} (?P<title>.+?) _{2,}$"
_BANNER = r"^={3,}"
_FRAME = r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?: (?P<what>.*))?$"
_EXCEPTION_LINE = r"^E\s+(?P<type>[A-Za-z_][\w.]*)(?:: (?P<message>.*))?$"
_TYPED = r"^(?P<type>[A-Za-z_][\w.]*): (?P<message>.*)$"
_IDENTIFIER = r"^[A-Za-z_][\w.]*$"
_HEADING_PREFIXES = ("ERROR at setup of ", "ERROR at teardown of ", "ERROR collecting ")


class _Section:
    """One failure's section of the traceback: its frames and its ``E`` line."""

    __slots__ = ("exception", "frames")

    def __init__(self) -> None:
        self.frames: list[re.Match[str]] = []
        self.exception: re.Match[str] | None = None


class PytestParser(NamedParser):
    __slots__ = ()
    FORMAT = "pytest"

    def parse(self, output: CheckerOutput) -> list[Finding]:
        lines = output.stdout.splitlines()
        sections = _sections(lines)
        findings = []
        for line in lines:
            if summary := re.match(_SUMMARY, line):
                queue = sections.get(_key_of_id(summary["id"]))
                section = queue.popleft() if queue else None
                findings.append(_finding(summary, section, output))
        return findings


def _sections(lines: list[str]) -> dict[str, deque[_Section]]:
    """The traceback sections by test (pytest names a test by ``Class.test[param]`` there)."""
    sections: dict[str, deque[_Section]] = defaultdict(deque)
    current: _Section | None = None
    for line in lines:
        if heading := re.match(_HEADING, line):
            current = _Section()
            sections[_key_of_heading(heading["title"])].append(current)
        elif re.match(_BANNER, line):
            current = None
        elif current is not None:
            if frame := re.match(_FRAME, line):
                current.frames.append(frame)
            elif current.exception is None and (exception := re.match(_EXCEPTION_LINE, line)):
                current.exception = exception
    return sections


def _key_of_heading(title: str) -> str:
    for prefix in _HEADING_PREFIXES:
        if title.startswith(prefix):
            return title[len(prefix) :]
    return title


def _key_of_id(test_id: str) -> str:
    # tests/test_a.py::TestGroup::test_param[x] is headed "TestGroup.test_param[x]";
    # a module that failed to import is named by its path alone.
    parts = test_id.split("::")
    return ".".join(parts[1:]) if len(parts) > 1 else test_id


def _finding(summary: re.Match[str], section: _Section | None, output: CheckerOutput) -> Finding:
    test_id, rest = summary["id"], summary["rest"] or ""
    typed = re.match(_TYPED, rest)
    kind = typed["type"] if typed else summary["kind"].lower()
    message = typed["message"] if typed else rest
    path, line = test_id.split("::")[0], None
    if section is not None:
        if section.exception is not None:
            kind = section.exception["type"]
            message = section.exception["message"] or message
        frame = _deepest_own_frame(section.frames)
        if frame is not None:
            path, line = frame["path"], int(frame["line"])
            what = frame["what"] or ""
            if re.match(_IDENTIFIER, what):  # "path:5: ValueError", not "in parse"
                kind = what
    text = f"{kind}: {message}" if message else kind
    return Finding(
        tool="pytest",
        rule=kind,
        message=f"{test_id} - {text}",
        path=relative_path(path, output.cwd),
        line=line,
        severity=summary["kind"].lower(),
    )


def _deepest_own_frame(frames: list[re.Match[str]]) -> re.Match[str] | None:
    own = [frame for frame in frames if not frame["path"].startswith("/")]
    chosen = own or frames
    return chosen[-1] if chosen else None
