"""mypy: text (``path:line[:col]: severity: message  [code]``) and ``-O json`` lines.

JSON output is one object per line (mypy 1.11 and later), recognised by a
line starting with ``{``. ``note:`` lines explain the error above them
("See https://...", "Revealed type is ...") and are not problems of their
own, so they become no findings. An error without a ``[code]`` (mypy
before 0.990, or ``--hide-error-codes``) gets the rule ``error``.
"""

from __future__ import annotations

import json
import re

from hookwise.checks.findings import Finding
from hookwise.checks.parsers.base import CheckerOutput, NamedParser, relative_path, whole

# Compiled (and cached by ``re``) when first matched.
_TEXT = (
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<severity>error|warning): "
    r"(?P<message>.+?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)


class MypyParser(NamedParser):
    __slots__ = ()
    FORMAT = "mypy"

    def parse(self, output: CheckerOutput) -> list[Finding]:
        findings = []
        for line in output.stdout.splitlines():
            if line.startswith("{"):
                finding = _from_json_line(line, output)
            elif match := re.match(_TEXT, line):
                finding = Finding(
                    tool="mypy",
                    rule=match["code"] or "error",
                    message=match["message"],
                    path=relative_path(match["path"], output.cwd),
                    line=int(match["line"]),
                    column=int(match["col"]) if match["col"] else None,
                    severity=match["severity"],
                )
            else:
                continue
            if finding is not None:
                findings.append(finding)
        return findings


def _from_json_line(line: str, output: CheckerOutput) -> Finding | None:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(item, dict) or item.get("severity") == "note":
        return None
    column = whole(item.get("column"))
    return Finding(
        tool="mypy",
        rule=str(item.get("code") or "error"),
        message=str(item.get("message", "")),
        path=relative_path(str(item.get("file", "")), output.cwd),
        line=whole(item.get("line")),
        # mypy's JSON counts columns from 0, its text (--show-column-numbers) from 1.
        column=None if column is None else column + 1,
        end_line=whole(item.get("end_line")),
        severity=str(item.get("severity") or "error"),
    )
