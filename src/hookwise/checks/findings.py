"""The finding: one problem a checker reported at one place.

The JSON shape is DESIGN §5's, ``{"tool","rule","message","path","line",
"snippet"?,"language"?}``, which ``hookwise suggest`` reads on stdin and
echoes back. The other fields (``column``, ``end_line``, ``severity``,
``fixable``) are written only when they say something, so a reader of the
§5 shape never meets them unless a parser knew them; ``from_json`` accepts
them either way.

``Finding`` is a plain frozen class (``hookwise.checks.frozen``), not a
dataclass: ``hookwise check`` builds findings at every commit, and
``import dataclasses`` (which imports ``inspect``) alone costs ~15 ms of its
50 ms budget on these machines.
"""

from __future__ import annotations

import os

from hookwise.checks.frozen import Frozen
from hookwise.errors import UsageError

# typing is not loaded on the check path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Languages by file extension: what a fix learned in one Python file can
#: teach about another, and never about a JavaScript one.
LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".pyx": "cython",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".vue": "vue",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".java": "java",
    ".kt": "kotlin",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".sh": "shell",
    ".bash": "shell",
    ".css": "css",
    ".scss": "scss",
    ".html": "html",
    ".md": "markdown",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".sql": "sql",
}


def language_of(path: str) -> str | None:
    """The language of a file, from its extension; None when it says nothing."""
    return LANGUAGES.get(os.path.splitext(path)[1].lower())  # noqa: PTH122 (no pathlib here)


class Finding(Frozen):
    """One problem at one place: ``line`` and ``column`` count from 1.

    ``fixable``: the checker can fix it itself (ruff's safe fixes, eslint's
    ``fix``). ``language`` defaults to the one of the path's extension.
    """

    _fields = (
        "tool",
        "rule",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "severity",
        "fixable",
        "snippet",
        "language",
    )
    __slots__ = _fields
    tool: str
    rule: str
    message: str
    path: str
    line: int | None
    column: int | None
    end_line: int | None
    severity: str | None
    fixable: bool
    snippet: str | None
    language: str | None

    def __init__(
        self,
        tool: str,
        rule: str,
        message: str,
        path: str,
        line: int | None,
        column: int | None = None,
        end_line: int | None = None,
        severity: str | None = None,
        fixable: bool = False,
        snippet: str | None = None,
        language: str | None = None,
    ) -> None:
        self._set(
            tool,
            rule,
            message,
            path,
            line,
            column,
            end_line,
            severity,
            fixable,
            snippet,
            language_of(path) if language is None else language,
        )

    def to_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "tool": self.tool,
            "rule": self.rule,
            "message": self.message,
            "path": self.path,
            "line": self.line,
        }
        optional = {
            "column": self.column,
            "end_line": self.end_line,
            "severity": self.severity,
            "fixable": self.fixable or None,
            "snippet": self.snippet,
            "language": self.language,
        }
        shape.update((key, value) for key, value in optional.items() if value is not None)
        return shape

    @classmethod
    def from_json(cls, shape: object) -> Finding:
        """Read one finding; a missing or mistyped field raises ``UsageError`` naming it."""
        if not isinstance(shape, dict):
            raise UsageError(f"a finding is a JSON object, not {type(shape).__name__}")
        return cls(
            tool=_text(shape, "tool"),
            rule=_text(shape, "rule"),
            message=_text(shape, "message"),
            path=_text(shape, "path"),
            line=_whole(shape, "line", required=True),
            column=_whole(shape, "column"),
            end_line=_whole(shape, "end_line"),
            severity=_optional_text(shape, "severity"),
            fixable=_flag(shape, "fixable"),
            snippet=_optional_text(shape, "snippet"),
            language=_optional_text(shape, "language"),
        )


def _text(shape: dict[str, Any], key: str) -> str:
    value = shape.get(key)
    if not isinstance(value, str):
        raise UsageError(f"a finding's {key!r} must be a string, not {value!r}")
    return value


def _optional_text(shape: dict[str, Any], key: str) -> str | None:
    return None if shape.get(key) is None else _text(shape, key)


def _whole(shape: dict[str, Any], key: str, *, required: bool = False) -> int | None:
    # "line" must be present (§5), but may be null: a failing test whose
    # traceback named no line.
    if required and key not in shape:
        raise UsageError(f"a finding needs a {key!r} (a line number, or null)")
    value = shape.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"a finding's {key!r} must be a whole number from 1, not {value!r}")
    return value


def _flag(shape: dict[str, Any], key: str) -> bool:
    value = shape.get(key, False)
    if not isinstance(value, bool):
        raise UsageError(f"a finding's {key!r} must be true or false, not {value!r}")
    return value
