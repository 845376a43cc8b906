"""Which parser reads a checker's output: named, or recognised from the command.

The command is read the way a shell would run it, past the launchers people
put in front of a checker (``python -m``, ``npx``, ``uv run``, ``poetry
run``, ``env VAR=1``): the first program this registry knows decides
(``python -m mypy src`` is mypy, ``npx eslint -f json .`` eslint). A
command that names no known checker is read with the generic
``path:line[:col]: [CODE] message`` parser under its own program's name, so
``shellcheck -f gcc x.sh`` gives findings of tool ``shellcheck``.

The table is explicit (nothing registers itself at import): a new parser is
one module under ``parsers/`` and one line in ``PARSERS``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from hookwise.checks.parsers.base import Parser
from hookwise.checks.parsers.eslint import EslintParser
from hookwise.checks.parsers.lines import FLAKE8, GENERIC, PYCODESTYLE, PYLINT, LineParser
from hookwise.checks.parsers.mypy import MypyParser
from hookwise.checks.parsers.pyright import PyrightParser
from hookwise.checks.parsers.pytest_failures import PytestParser
from hookwise.checks.parsers.ruff import RuffParser
from hookwise.errors import UsageError

PARSERS: dict[str, Parser] = {
    parser.name: parser
    for parser in (
        RuffParser(),
        MypyParser(),
        PyrightParser(),
        FLAKE8,
        PYCODESTYLE,
        PYLINT,
        PytestParser(),
        EslintParser(),
        GENERIC,
    )
}

#: Program names, as run, and the parser that reads each.
PROGRAMS = {
    "ruff": "ruff",
    "mypy": "mypy",
    "dmypy": "mypy",
    "pyright": "pyright",
    "basedpyright": "pyright",
    "flake8": "flake8",
    "pycodestyle": "pycodestyle",
    "pylint": "pylint",
    "pytest": "pytest",
    "py.test": "pytest",
    "eslint": "eslint",
}

#: Launchers and their subcommands: they run the checker that follows them.
LAUNCHERS = frozenset(
    "npx pnpx bunx uvx pipx uv poetry pdm hatch pipenv rye tox npm pnpm yarn bun "
    "run exec env nice ionice time command".split()
)
_PYTHON = re.compile(r"^(?:python|pypy|py)(?:\d+(?:\.\d+)*)?[tw]?$")
_SUFFIXES = (".exe", ".cmd", ".bat", ".js")


def parser_named(name: str) -> Parser:
    """The parser of a format name (``ruff``, ``pytest``, ``generic`` ...)."""
    try:
        return PARSERS[name]
    except KeyError:
        known = ", ".join(sorted(PARSERS))
        raise UsageError(f"no parser reads the format {name!r}; the formats are: {known}") from None


def parser_for_command(command: Sequence[str]) -> Parser:
    """The parser for what ``command`` prints; the generic one for an unknown checker."""
    after_option = False
    for token in command:
        program = _program(token)
        if program in PROGRAMS:
            return PARSERS[PROGRAMS[program]]
        skip = (
            program in LAUNCHERS
            or _PYTHON.match(program) is not None
            or "=" in token  # env's VAR=value
            or token.startswith("-")
            or after_option  # the value of a launcher's option: uv run --with x ruff
        )
        if not skip:
            return LineParser("generic", program or GENERIC.tool)
        after_option = token.startswith("-") and "=" not in token and token != "-m"
    return GENERIC


def parser_for(command: Sequence[str], format_name: str | None = None) -> Parser:
    """A named format wins over what the command looks like."""
    return parser_named(format_name) if format_name else parser_for_command(command)


def _program(token: str) -> str:
    name = PurePath(token).name
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return name
