"""ruff check: JSON (``--output-format json``), concise text, and the default full text.

The format is read from the output, not the command: JSON starts with
``[``. In text, ``[*]`` marks a fix that ``ruff check --fix`` applies; in
JSON the ``fix`` field says the same with its applicability. Only ``safe``
fixes count as fixable: an ``unsafe`` one needs ``--unsafe-fixes`` and may
change behaviour, so it is no autofix to suggest on its own (ruff's text
leaves ``[*]`` off those too, so both formats agree).
"""

from __future__ import annotations

import re

from hookwise.checks.findings import Finding
from hookwise.checks.parsers.base import CheckerOutput, NamedParser, load_json, relative_path, whole
from hookwise.errors import CheckOutputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Compiled (and cached by ``re``) when first matched.

# `F401`, `RUF100`, and since 0.12 `invalid-syntax:` for code ruff cannot parse.
_CODE = r"(?P<code>[A-Z]+[0-9]+|[a-z]+(?:-[a-z]+)*):?"
_CONCISE = (
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): "
    + _CODE
    + r"(?P<fix> \[\*\])? (?P<message>.+)$"
)
_FULL_HEADER = r"^" + _CODE + r"(?P<fix> \[\*\])? (?P<message>.+)$"
_FULL_ARROW = r"^\s*--> (?P<path>.+?):(?P<line>\d+):(?P<col>\d+)$"


class RuffParser(NamedParser):
    __slots__ = ()
    FORMAT = "ruff"

    def parse(self, output: CheckerOutput) -> list[Finding]:
        if output.stdout.lstrip().startswith("["):
            return _from_json(output)
        return _from_text(output)


def _from_json(output: CheckerOutput) -> list[Finding]:
    report = load_json(output, "ruff", "read it as text, or run ruff with JSON output")
    if not isinstance(report, list):
        raise CheckOutputError("ruff", "is not a JSON list of diagnostics", "update ruff")
    return [_diagnostic(item, output) for item in report if isinstance(item, dict)]


def _diagnostic(item: dict[str, Any], output: CheckerOutput) -> Finding:
    location = item.get("location") or {}
    end = item.get("end_location") or {}
    fix = item.get("fix")
    return Finding(
        tool="ruff",
        rule=str(item.get("code") or item.get("name") or "invalid-syntax"),
        message=str(item.get("message", "")),
        path=relative_path(str(item.get("filename", "")), output.cwd),
        line=whole(location.get("row")),
        column=whole(location.get("column")),
        end_line=whole(end.get("row")),
        severity=item.get("severity") if isinstance(item.get("severity"), str) else None,
        fixable=isinstance(fix, dict) and fix.get("applicability") == "safe",
    )


def _from_text(output: CheckerOutput) -> list[Finding]:
    findings = []
    header: re.Match[str] | None = None
    for line in output.stdout.splitlines():
        if concise := re.match(_CONCISE, line):
            findings.append(_text_finding(concise, concise, output))
        elif arrow := re.match(_FULL_ARROW, line):
            if header is not None:
                findings.append(_text_finding(header, arrow, output))
            header = None
        elif line.strip():
            header = re.match(_FULL_HEADER, line)
    return findings


def _text_finding(header: re.Match[str], place: re.Match[str], output: CheckerOutput) -> Finding:
    return Finding(
        tool="ruff",
        rule=header["code"],
        message=header["message"],
        path=relative_path(place["path"], output.cwd),
        line=int(place["line"]),
        column=int(place["col"]),
        fixable=header["fix"] is not None,
    )
