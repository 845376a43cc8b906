"""The kinds of fix: a small taxonomy that groups strategies by what the edit does.

A strategy names one edit ("remove unused import", "add `# noqa: E501`");
its kind says what sort of edit it is, so a suggestion can say "suppress"
before the developer reads the diff. Recorded attempts may name their kind;
when they do not, ``fixes.strategy.default_kind`` reads it from the diff
and the strategy, else it is ``unknown``. docs/fixes.md shows an example
of each.
"""

from __future__ import annotations

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
