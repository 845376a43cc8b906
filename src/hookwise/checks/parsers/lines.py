"""One finding per line: ``path:line[:col]: [CODE] message``.

flake8, pycodestyle and pylint print exactly this by default (pylint puts
a colon after its code and counts columns from 0), and so do many tools
that imitate compilers: ``path:line:col: warning: message [CODE]`` (gcc,
shellcheck ``-f gcc``, mypy) is read too, the severity and the bracketed
code taken out of the message. This is also the fallback for a command no
other parser knows; a line without a code there gets the rule ``""``, so
its fingerprint rests on its path and snippet. Lines that are not findings
(pylint's ``*** Module`` headings, its rating, summaries) do not match.
"""

from __future__ import annotations

import re

from hookwise.checks.findings import Finding
from hookwise.checks.frozen import Frozen
from hookwise.checks.parsers.base import CheckerOutput, relative_path

# Patterns, compiled (and cached by ``re``) when first matched: a run without
# output, or a check that reads another format, compiles none of them.
_LINE = (
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+)(?::(?P<col>\d+))?:\s*"
    r"(?:(?P<code>[A-Z]+[0-9]+|[A-Z]+-[0-9]+)(?::\s*|\s+))?(?P<message>\S.*)$"
)
_SEVERITY = r"^(?P<severity>fatal error|error|warning|note|info): (?P<rest>.*)$"
_TRAILING_CODE = r"\s+\[(?P<code>[A-Za-z0-9_.-]+)\]$"


class LineParser(Frozen):
    """``column_base`` is 0 for a tool that counts columns from 0 (pylint)."""

    _fields = ("name", "tool", "column_base")
    __slots__ = _fields
    name: str
    tool: str
    column_base: int

    def __init__(self, name: str, tool: str, column_base: int = 1) -> None:
        self._set(name, tool, column_base)

    def parse(self, output: CheckerOutput) -> list[Finding]:
        findings = []
        for line in output.stdout.splitlines():
            match = re.match(_LINE, line.rstrip())
            if match is None:
                continue
            code, message, severity = match["code"], match["message"], None
            if code is None and (prefixed := re.match(_SEVERITY, message)):
                severity, message = prefixed["severity"], prefixed["rest"]
                if trailing := re.search(_TRAILING_CODE, message):
                    code, message = trailing["code"], message[: trailing.start()]
            if severity == "note":
                # A note explains the finding above it (gcc, mypy); it is none itself.
                continue
            column = int(match["col"]) + 1 - self.column_base if match["col"] else None
            findings.append(
                Finding(
                    tool=self.tool,
                    rule=code or "",
                    message=message,
                    path=relative_path(match["path"], output.cwd),
                    line=int(match["line"]),
                    column=column,
                    severity=severity,
                )
            )
        return findings


FLAKE8 = LineParser("flake8", "flake8")
PYCODESTYLE = LineParser("pycodestyle", "pycodestyle")
PYLINT = LineParser("pylint", "pylint", column_base=0)
GENERIC = LineParser("generic", "generic")
