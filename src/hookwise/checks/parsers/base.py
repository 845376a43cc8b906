"""What every parser takes and returns, and the helpers they share.

A parser reads one run of one checker (``CheckerOutput``) and returns its
findings in the order the checker printed them. Output that holds no
findings gives an empty list; output that is not in the parser's format at
all (a JSON reader handed a traceback) raises ``CheckOutputError``, which
the caller reports in one line while the checker's own result stands
(DESIGN §7).
"""

from __future__ import annotations

import os

from hookwise.checks.findings import Finding
from hookwise.checks.frozen import Frozen
from hookwise.errors import CheckOutputError

# No typing, pathlib or dataclasses at run time: the parsers are imported on
# ``hookwise check``'s path (``hookwise.checks.frozen`` says why). mypy sees
# ``Parser`` as the protocol it is; at run time it is a plain class.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol
else:
    Protocol = object


class CheckerOutput(Frozen):
    """One run of a checker. ``cwd`` is where it ran: absolute paths under it are made relative."""

    _fields = ("stdout", "stderr", "exit_code", "cwd")
    __slots__ = _fields
    stdout: str
    stderr: str
    exit_code: int
    cwd: str | os.PathLike[str] | None

    def __init__(
        self,
        stdout: str,
        stderr: str = "",
        exit_code: int = 0,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        self._set(stdout, stderr, exit_code, cwd)


class Parser(Protocol):
    """A checker's output format; ``name`` is what ``--format`` calls it."""

    @property
    def name(self) -> str: ...

    def parse(self, output: CheckerOutput) -> list[Finding]: ...


class NamedParser(Frozen):
    """A parser whose one field is its format's name, ``FORMAT`` unless another is given."""

    FORMAT = ""
    _fields = ("name",)
    __slots__ = _fields
    name: str

    def __init__(self, name: str | None = None) -> None:
        self._set(self.FORMAT if name is None else name)


def relative_path(path: str, cwd: str | os.PathLike[str] | None) -> str:
    """A path as the repository knows it: POSIX, relative to ``cwd`` when under it, no ``./``.

    pyright and eslint print absolute paths, ruff and mypy relative ones; a
    finding's path is part of its fingerprint, so one file must have one
    path whichever tool reported it.
    """
    path = path.replace(os.sep, "/") if os.sep != "/" else path
    if cwd is not None and path.startswith("/"):
        base = os.fspath(cwd).replace(os.sep, "/").rstrip("/") + "/"
        if path.startswith(base):
            path = path[len(base) :]
    while path.startswith("./"):
        path = path[2:]
    return path


def load_json(output: CheckerOutput, tool: str, hint: str) -> Any:
    """The checker's stdout as JSON; None when it printed nothing."""
    text = output.stdout.strip()
    if not text:
        return None
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckOutputError(
            tool, f"is not JSON ({error.msg} at character {error.pos})", hint
        ) from error


def whole(value: object) -> int | None:
    """An integer field of a JSON report, or None when absent or not a number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
