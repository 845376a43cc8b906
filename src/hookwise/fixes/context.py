"""An attempt's context when it is made, and how alike two contexts are.

The context (DESIGN §3) says where a fix was made, so a fix that works in
this project's Python files can rank above one that worked elsewhere:

- ``project``: the repository's id (``repository_id``): a hash of its
  store's directory, the key the user's registry already files the store
  under, so no path (and no home directory) is ever stored;
- ``language``: from the file's extension (``checks.findings.language_of``);
- ``complexity``: at the finding's line, the cyclomatic complexity of the
  enclosing Python function (1 + its branches: ``if`` and conditional
  expressions, ``for``, ``while``, each ``except``, ``with``, each extra
  operand of ``and``/``or``, each ``if`` of a comprehension, each ``case``;
  nested functions and classes count for themselves), with
  ``complexity_measure`` "cyclomatic"; elsewhere (another language, a file
  that does not parse, a line outside any function) the size in lines of
  the enclosing block (found by indentation, as ``fixes.hunks`` finds
  blocks), with ``complexity_measure`` "lines";
- ``skill``: the agent or script that made the attempt, as the caller of
  ``fix record`` names it.

**Similarity** (``similarity``) starts at 1 and loses a quarter for each
part both contexts know and disagree on: another project, another
language, another skill, and for complexity of the same measure
``1 - min/max`` of a quarter (complexities 4 and 8 lose 0.125). What one
side does not know costs nothing, so attempts recorded without a context
rank exactly as before. Parts equal in weight: no replay has contexts yet
to tune them on.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hookwise.checks.findings import language_of
from hookwise.fixes.attempt import FixAttempt, attempt_id, canonical_context
from hookwise.fixes.hunks import block_span

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

CYCLOMATIC, LINES = "cyclomatic", "lines"
#: Each part of a context that both sides know and disagree on takes this off.
PART = 0.25


def repository_id(hookwise_dir: Path) -> str:
    """The repository's project id: the registry's key for its store (20 hex digits)."""
    return hashlib.sha1(str(hookwise_dir.absolute()).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Context:
    project: str | None = None
    language: str | None = None
    complexity: float | None = None
    measure: str | None = None  # CYCLOMATIC or LINES, with complexity
    skill: str | None = None

    @classmethod
    def of(cls, text: str | None) -> Context:
        """The context of an attempt's stored ``context`` text (empty when unreadable)."""
        if not text:
            return cls()
        try:
            shape = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(shape, dict):
            return cls()
        value = shape.get("complexity")
        complexity = (
            float(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else None
        )
        return cls(
            project=_text(shape.get("project")),
            language=_text(shape.get("language")),
            complexity=complexity,
            # A complexity given without its measure is taken as cyclomatic, what
            # DESIGN §3 means by complexity.
            measure=(_text(shape.get("complexity_measure")) or CYCLOMATIC)
            if complexity is not None
            else None,
            skill=_text(shape.get("skill")),
        )


def similarity(a: Context, b: Context) -> float:
    """How alike two contexts are, in [0, 1] (see the module's docstring)."""
    score = 1.0
    for mine, theirs in ((a.project, b.project), (a.language, b.language), (a.skill, b.skill)):
        if mine is not None and theirs is not None and mine != theirs:
            score -= PART
    if a.complexity is not None and b.complexity is not None and a.measure == b.measure:
        score -= PART * complexity_distance(a.complexity, b.complexity)
    return score


def pair_similarities(
    finding: npt.NDArray[np.int64],
    context: npt.NDArray[np.int32],
    contexts: Sequence[Context],
    stored: Sequence[Context],
) -> npt.NDArray[np.float64]:
    """``similarity`` of each ballot entry's context code with its finding's context.

    ``finding[i]`` indexes ``contexts`` (the findings asked about) and
    ``context[i]`` indexes ``stored`` (the index's distinct contexts); each
    distinct pair is scored once, as ballots repeat a few contexts many times.
    """
    import numpy as np

    span = len(stored)
    pairs, which = np.unique(finding * span + context, return_inverse=True)
    scores = [similarity(contexts[pair // span], stored[pair % span]) for pair in pairs.tolist()]
    return np.array(scores, np.float64)[which]


def complexity_distance(a: float, b: float) -> float:
    """``1 - min/max`` of two complexities: 0 when equal, towards 1 as they part."""
    low, high = min(a, b), max(a, b)
    return 0.0 if high <= 0 else 1.0 - max(low, 0.0) / high


# -- the complexity at a line -------------------------------------------------------------


@dataclass
class SourceFile:
    """One version of a file, parsed at most once however many findings ask about it."""

    text: str
    language: str | None
    _functions: list[tuple[int, int, int]] | None = field(default=None, init=False)
    _lines: list[str] | None = field(default=None, init=False)

    def complexity_at(self, line: int | None) -> tuple[int, str] | None:
        """(complexity, measure) at ``line`` (from 1); None without a line to look at."""
        lines = self._lines if self._lines is not None else self.text.splitlines()
        self._lines = lines
        if line is None or not 1 <= line <= len(lines):
            return None
        if self.language == "python":
            innermost = None
            for start, end, value in self._python_functions():
                if start <= line <= end and (innermost is None or start >= innermost[0]):
                    innermost = (start, value)
            if innermost is not None:
                return innermost[1], CYCLOMATIC
        first, last = block_span(lines, line)
        return last - first + 1, LINES

    def _python_functions(self) -> list[tuple[int, int, int]]:
        """(first line, last line, complexity) of every function; none when it does not parse."""
        if self._functions is None:
            try:
                tree = ast.parse(self.text)
            except (SyntaxError, ValueError, RecursionError):
                tree = None
            self._functions = [] if tree is None else _functions(tree)
        return self._functions


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BRANCHES = (
    ast.If,
    ast.IfExp,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.ExceptHandler,
    ast.match_case,
)


def _functions(tree: ast.AST) -> list[tuple[int, int, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, _FUNCTIONS):
            end = node.end_lineno or node.lineno
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append((start, end, cyclomatic(node)))
    return found


def cyclomatic(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """1 + the branches of ``function``'s own body (nested functions and classes left out)."""
    branches = 0
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, _BRANCHES):
            branches += 1
        elif isinstance(node, ast.BoolOp):
            branches += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            branches += len(node.ifs)
        pending.extend(ast.iter_child_nodes(node))
    return branches + 1


# -- contexts where attempts are made -----------------------------------------------------


def attempt_context(
    *,
    project: str | None,
    language: str | None,
    source: SourceFile | None,
    line: int | None,
    given: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The context of an attempt: what ``given`` says, and what it leaves out filled in."""
    context: dict[str, Any] = dict(given or {})
    if project is not None:
        context.setdefault("project", project)
    if language is not None:
        context.setdefault("language", language)
    if "complexity" not in context and source is not None:
        found = source.complexity_at(line)
        if found is not None:
            context["complexity"], context["complexity_measure"] = found
    return context or None


def source_of(path: str, text: str | None, files: dict[str, SourceFile]) -> SourceFile | None:
    """The parsed file at ``path`` (one per path in ``files``); None without its text."""
    if text is None:
        return None
    source = files.get(path)
    if source is None or source.text is not text:
        source = files[path] = SourceFile(text, language_of(path))
    return source


def with_context(attempt: FixAttempt, context: dict[str, Any] | None) -> FixAttempt:
    """``attempt`` with ``context`` (its id follows its fields)."""
    fields = attempt.to_json()
    fields["context"] = None if context is None else canonical_context(context)
    fields.pop("recorded_at")
    fields["id"] = attempt_id(fields)
    return FixAttempt(recorded_at=attempt.recorded_at, **fields)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
