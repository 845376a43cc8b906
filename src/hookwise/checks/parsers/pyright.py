"""pyright: ``--outputjson``, and its default text.

JSON counts lines and characters from 0 (LSP ranges); findings count from
1. A diagnostic without a rule (a syntax error, an unresolvable import in
older releases) gets its severity as the rule, so it still has one. A
message may run over several lines (the reason why a type does not fit);
it is kept whole, since that is what says what to fix.
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
_TEXT = (
    r"^\s+(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+) - "
    r"(?P<severity>error|warning|information): (?P<message>.*)$"
)
_RULE = r"\s*\((?P<rule>report[A-Za-z]+)\)$"


class PyrightParser(NamedParser):
    __slots__ = ()
    FORMAT = "pyright"

    def parse(self, output: CheckerOutput) -> list[Finding]:
        if output.stdout.lstrip().startswith("{"):
            return _from_json(output)
        return _from_text(output)


def _from_json(output: CheckerOutput) -> list[Finding]:
    report = load_json(output, "pyright", "read it as text, or run pyright with JSON output")
    diagnostics = report.get("generalDiagnostics") if isinstance(report, dict) else None
    if not isinstance(diagnostics, list):
        raise CheckOutputError("pyright", "has no list of diagnostics", "update pyright")
    return [_diagnostic(item, output) for item in diagnostics if isinstance(item, dict)]


def _diagnostic(item: dict[str, Any], output: CheckerOutput) -> Finding:
    span = item.get("range") or {}
    start, end = span.get("start") or {}, span.get("end") or {}
    severity = str(item.get("severity") or "error")
    return Finding(
        tool="pyright",
        rule=str(item.get("rule") or severity),
        message=str(item.get("message", "")),
        path=relative_path(str(item.get("file", "")), output.cwd),
        line=_from_zero(start.get("line")),
        column=_from_zero(start.get("character")),
        end_line=_from_zero(end.get("line")),
        severity=severity,
    )


def _from_zero(value: object) -> int | None:
    number = whole(value)
    return None if number is None else number + 1


def _from_text(output: CheckerOutput) -> list[Finding]:
    found: list[tuple[re.Match[str], list[str]]] = []
    continues = False
    for line in output.stdout.splitlines():
        if match := re.match(_TEXT, line):
            found.append((match, [match["message"]]))
            continues = True
        elif continues and line.startswith("  "):
            # Diagnostics and the rest of their message are both indented by
            # two spaces; pyright indents the rest further with no-break
            # spaces, kept as in its JSON.
            found[-1][1].append(line[2:])
        else:
            continues = False
    return [_text_finding(match, lines, output) for match, lines in found]


def _text_finding(match: re.Match[str], lines: list[str], output: CheckerOutput) -> Finding:
    message = "\n".join(lines)
    rule = re.search(_RULE, message)
    return Finding(
        tool="pyright",
        rule=rule["rule"] if rule else match["severity"],
        message=message[: rule.start()] if rule else message,
        path=relative_path(match["path"], output.cwd),
        line=int(match["line"]),
        column=int(match["col"]),
        severity=match["severity"],
    )
