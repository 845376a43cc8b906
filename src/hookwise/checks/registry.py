"""Which parser reads a checker's output: named, or recognised from the command.

The command is read the way a shell would run it, past the launchers people
put in front of a checker (``python -m``, ``npx``, ``uv run``, ``poetry
run``, ``env VAR=1``): the first program this registry knows decides
(``python -m mypy src`` is mypy, ``npx eslint -f json .`` eslint). A
command that names no known checker is read with the generic
``path:line[:col]: [CODE] message`` parser under its own program's name, so
``shellcheck -f gcc x.sh`` gives findings of tool ``shellcheck``.

The table is explicit (nothing registers itself at import): a new parser is
one module under ``parsers/``, one line in ``PARSER_PLACES``, and its name
in ``formats.FORMATS``.
"""

from __future__ import annotations

import functools
import os
import re

from hookwise.checks.formats import FORMATS, check_format

# No typing or pathlib at run time: this is imported at every ``hookwise check``.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from hookwise.checks.parsers.base import Parser

#: Format name -> the module under ``hookwise.checks.parsers`` and its parser
#: there (a class, or an instance). Only the parser a run needs is imported:
#: all of them, with the regular expressions they compile, cost ~25 ms.
PARSER_PLACES = {
    "ruff": ("ruff", "RuffParser"),
    "mypy": ("mypy", "MypyParser"),
    "pyright": ("pyright", "PyrightParser"),
    "flake8": ("lines", "FLAKE8"),
    "pycodestyle": ("lines", "PYCODESTYLE"),
    "pylint": ("lines", "PYLINT"),
    "pytest": ("pytest_failures", "PytestParser"),
    "eslint": ("eslint", "EslintParser"),
    "generic": ("lines", "GENERIC"),
}


def all_parsers() -> dict[str, Parser]:
    """Every parser by its format name (importing them all)."""
    return {name: parser_named(name) for name in FORMATS}


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
_PYTHON = r"^(?:python|pypy|py)(?:\d+(?:\.\d+)*)?[tw]?$"  # compiled when first matched
_SUFFIXES = (".exe", ".cmd", ".bat", ".js")


@functools.cache
def parser_named(name: str) -> Parser:
    """The parser of a format name (``ruff``, ``pytest``, ``generic`` ...), imported once."""
    check_format(name)
    module, attribute = PARSER_PLACES[name]
    # ``__import__``, not ``importlib.import_module``: importlib and the warnings it
    # loads cost ~0.6 ms of ``python -X importtime`` at every check.
    place = __import__(f"hookwise.checks.parsers.{module}", fromlist=[attribute])
    found = getattr(place, attribute)
    parser: Parser = found() if isinstance(found, type) else found
    return parser


def parser_for_command(command: Sequence[str]) -> Parser:
    """The parser for what ``command`` prints; the generic one for an unknown checker."""
    after_option = False
    for token in command:
        program = _program(token)
        if program in PROGRAMS:
            return parser_named(PROGRAMS[program])
        skip = (
            program in LAUNCHERS
            or re.match(_PYTHON, program) is not None
            or "=" in token  # env's VAR=value
            or token.startswith("-")
            or after_option  # the value of a launcher's option: uv run --with x ruff
        )
        if not skip:
            from hookwise.checks.parsers.lines import LineParser

            return LineParser("generic", program or "generic")
        after_option = token.startswith("-") and "=" not in token and token != "-m"
    return parser_named("generic")


def parser_for(command: Sequence[str], format_name: str | None = None) -> Parser:
    """A named format wins over what the command looks like."""
    return parser_named(format_name) if format_name else parser_for_command(command)


def _program(token: str) -> str:
    name = os.path.basename(token.rstrip("/"))  # noqa: PTH119 (pathlib is not loaded here)
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return name
