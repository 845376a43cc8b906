"""The kinds of fix: a small taxonomy that groups strategies by what the edit does.

A strategy names one edit ("remove unused import", "add `# noqa: E501`");
its kind says what sort of edit it is, so a suggestion can say "suppress"
before the developer reads the diff. Recorded attempts may name their kind;
when they do not, ``default_kind`` reads it from the diff, else from the
strategy, else it is ``unknown``.
"""

from __future__ import annotations

import re

KINDS: dict[str, str] = {
    "autofix": "the checker's own fix (ruff --fix, eslint --fix)",
    "suppress": "silence the finding: # noqa, # type: ignore, eslint-disable, pylint: disable",
    "delete": "delete code (the edit only removes lines)",
    "imports": "add, remove or change imports",
    "signature": "change a signature or an annotation",
    "rename": "rename an identifier",
    "replace": "replace an expression",
    "rewrite": "a larger rewrite",
    "unknown": "not said, and not read from the diff or the strategy",
}

# Markers that silence a checker on a line, across the tools hookwise parses.
_SUPPRESSION = re.compile(
    r"#\s*noqa\b|#\s*type:\s*ignore|#\s*pyright:\s*ignore|#\s*pylint:\s*disable"
    r"|eslint-disable|@ts-ignore|@ts-expect-error"
)
_IMPORT = re.compile(r"^\s*(import\s|from\s+\S+\s+import\s|require\()")


def default_kind(strategy: str, diff: str | None) -> str:
    """The kind of an attempt that did not say, by the first rule that applies.

    1. The diff adds a suppression marker (``# noqa``, ``# type: ignore``,
       ``eslint-disable`` ...): ``suppress``.
    2. The diff only removes lines: ``delete``.
    3. Every line the diff adds or removes is an import: ``imports``.
    4. The strategy is itself a kind's name (``"rename"``): that kind.
    5. Otherwise ``unknown``: a guess would teach the recommender noise.
    """
    if diff:
        added, removed = _changed_lines(diff)
        if any(_SUPPRESSION.search(line) for line in added):
            return "suppress"
        if removed and not added:
            return "delete"
        changed = added + removed
        if changed and all(_IMPORT.match(line) for line in changed):
            return "imports"
    name = strategy.strip().lower()
    return name if name in KINDS else "unknown"


def _changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """The added and removed lines of a unified diff (file headers and blank lines left out)."""
    added: list[str] = []
    removed: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")) or not line[1:].strip():
            continue
        if line.startswith("+"):
            added.append(line[1:])
        elif line.startswith("-"):
            removed.append(line[1:])
    return added, removed
