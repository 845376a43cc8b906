"""How ``hookwise fix learn`` runs each checker over a folder of old file versions.

A recipe is a checker's command for learning: its output format, the
files it reads, a fixed rule selection, and nothing from the repository's
own configuration (``--isolated``, ``--no-config-lookup``). History mixes
years of configurations; a rule selection of our own makes the findings of
1998's and today's code comparable, and lets the user say which rules to
learn (``select``, which replaces the default).

The default selections were chosen for rules that old code breaks and
later commits fix, measured on pytest's history (docs/fixes.md gives the
figures): ruff ``E,F,W,B,UP,SIM,I`` (pycodestyle, pyflakes, bugbear,
pyupgrade, simplify, isort: each is fixed by hand in real histories, and
each names its fix), flake8 ``E,F,W`` (its own default adds C90
complexity, which a commit fixes only by rewriting), pycodestyle its own
default, and for eslint a handful of rules that need no plugin and no
type information.

Every recipe exits 0 whatever it finds (``--exit-zero``, or the codes in
``ok_codes``): any other exit code is a checker that failed, not findings.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hookwise.checks.parsers.base import Parser
from hookwise.checks.parsers.eslint import EslintParser
from hookwise.checks.parsers.lines import FLAKE8, PYCODESTYLE
from hookwise.checks.parsers.ruff import RuffParser
from hookwise.errors import UsageError

PYTHON = (".py", ".pyi")
JAVASCRIPT = (".js", ".mjs", ".cjs")
#: eslint's rules for learning: core rules (no plugin) that old code breaks
#: and whose fix is a local edit.
ESLINT_RULES = ("no-unused-vars", "eqeqeq", "no-var", "prefer-const", "no-extra-semi")


@dataclass(frozen=True)
class Recipe:
    """One checker as ``fix learn`` runs it: ``command(program, select, folder)``."""

    tool: str
    program: str
    suffixes: tuple[str, ...]
    parser: Parser
    default_select: tuple[str, ...]  # empty: the tool's own default
    syntax_rules: frozenset[str]  # the rules that say a file could not be parsed
    ok_codes: frozenset[int] = frozenset({0})

    def key(self, select: Sequence[str]) -> str:
        """What learning state is kept under: the tool and its selection.

        Another selection finds other fixes, so its commits are done again.
        """
        return f"{self.tool}:{','.join(select) or 'default'}"

    def command(self, program: str, select: Sequence[str], folder: str) -> list[str]:
        chosen = ",".join(select)
        if self.tool == "ruff":
            return [
                program,
                "check",
                "--output-format",
                "json",
                "--no-cache",
                "--isolated",
                "--exit-zero",
                *(["--select", chosen] if chosen else []),
                folder,
            ]
        if self.tool == "flake8":
            return [program, "--isolated", "--exit-zero", *_select(chosen), folder]
        if self.tool == "pycodestyle":
            return [program, *_select(chosen), folder]
        rules = dict.fromkeys(select, "error")
        return [program, "--no-config-lookup", "-f", "json", "--rule", json.dumps(rules), folder]


def _select(chosen: str) -> list[str]:
    return [f"--select={chosen}"] if chosen else []


#: Whitespace and line length left out (see the module docstring); W605 (an
#: invalid escape sequence) is the one warning that is a bug.
PYTHON_RULES = ("E4", "E7", "E9", "F", "W605")
RECIPES: dict[str, Recipe] = {
    "ruff": Recipe(
        "ruff",
        "ruff",
        PYTHON,
        RuffParser(),
        (*PYTHON_RULES, "B", "UP", "SIM", "I"),
        frozenset({"invalid-syntax", "E999"}),
    ),
    "flake8": Recipe("flake8", "flake8", (".py",), FLAKE8, PYTHON_RULES, frozenset({"E999"})),
    "pycodestyle": Recipe(
        "pycodestyle",
        "pycodestyle",
        (".py",),
        PYCODESTYLE,
        ("E4", "E7", "E9", "W6"),
        frozenset({"E901", "E902"}),
        frozenset({0, 1}),
    ),
    "eslint": Recipe(
        "eslint",
        "eslint",
        JAVASCRIPT,
        EslintParser(),
        ESLINT_RULES,
        frozenset({"fatal"}),
        frozenset({0, 1}),
    ),
}
DEFAULT_TOOLS = ("ruff",)


def recipe(tool: str) -> Recipe:
    try:
        return RECIPES[tool]
    except KeyError:
        known = ", ".join(RECIPES)
        raise UsageError(
            f"hookwise cannot learn with {tool!r}; the tools it knows: {known}"
        ) from None


def find_program(program: str, repo: Path) -> str | None:
    """The checker's executable: on PATH, beside hookwise's Python, or the repository's npm bin."""
    for place in (None, str(Path(sys.executable).parent), str(repo / "node_modules" / ".bin")):
        found = shutil.which(program, path=place)
        if found is not None:
            return found
    return None
