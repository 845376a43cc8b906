"""eslint: ``-f json`` (or ``--format json``).

eslint's default "stylish" text groups messages under file headings and
pads columns for a terminal; JSON says the same without guessing, so only
JSON is read, and other output raises ``CheckOutputError`` asking for it.
A message with a ``fix`` is one ``eslint --fix`` applies (``suggestions``
are not: they need an editor). A message without a rule is a parse error
(``fatal``). eslint includes a file's source when it has messages, so
snippets come from it rather than from the file on disk.
"""

from __future__ import annotations

from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import snippet_at
from hookwise.checks.parsers.base import CheckerOutput, NamedParser, load_json, relative_path, whole
from hookwise.errors import CheckOutputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SEVERITIES = {1: "warning", 2: "error"}
_HINT = "run eslint with JSON output (-f json)"


class EslintParser(NamedParser):
    __slots__ = ()
    FORMAT = "eslint"

    def parse(self, output: CheckerOutput) -> list[Finding]:
        if output.stdout.strip() and not output.stdout.lstrip().startswith("["):
            raise CheckOutputError("eslint", "is not JSON", _HINT)
        report = load_json(output, "eslint", _HINT)
        if report is None:
            return []
        if not isinstance(report, list):
            raise CheckOutputError("eslint", "is not a JSON list of files", _HINT)
        findings = []
        for result in report:
            if not isinstance(result, dict):
                continue
            path = relative_path(str(result.get("filePath", "")), output.cwd)
            source = result.get("source")
            lines = source.splitlines() if isinstance(source, str) else None
            for message in result.get("messages") or []:
                if isinstance(message, dict):
                    findings.append(_finding(message, path, lines))
        return findings


def _finding(message: dict[str, Any], path: str, lines: list[str] | None) -> Finding:
    line, end_line = whole(message.get("line")), whole(message.get("endLine"))
    return Finding(
        tool="eslint",
        rule=str(message.get("ruleId") or ("fatal" if message.get("fatal") else "")),
        message=str(message.get("message", "")),
        path=path,
        line=line,
        column=whole(message.get("column")),
        end_line=end_line,
        severity=_SEVERITIES.get(whole(message.get("severity")) or 0),
        fixable=isinstance(message.get("fix"), dict),
        snippet=None if lines is None else snippet_at(lines, line, end_line),
    )
