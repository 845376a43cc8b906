from __future__ import annotations

import pytest

from hookwise.checks.formats import FORMATS
from hookwise.checks.parsers.lines import LineParser
from hookwise.checks.registry import all_parsers, parser_for, parser_for_command, parser_named
from hookwise.errors import UsageError


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("ruff check --output-format json src", "ruff"),
        ("ruff", "ruff"),
        ("/home/me/.venv/bin/ruff check .", "ruff"),
        ("python -m mypy src", "mypy"),
        ("python3.12 -m mypy -O json src", "mypy"),
        ("uv run --with mypy mypy src", "mypy"),
        ("poetry run pytest -q", "pytest"),
        ("py.test tests", "pytest"),
        ("env CI=1 nice pytest", "pytest"),
        ("npx eslint -f json .", "eslint"),
        ("pnpm exec eslint -f json .", "eslint"),
        ("node_modules/.bin/eslint.cmd .", "eslint"),
        ("pyright --outputjson", "pyright"),
        ("basedpyright --outputjson", "pyright"),
        ("flake8 src", "flake8"),
        ("pycodestyle src", "pycodestyle"),
        ("python -m pylint src", "pylint"),
    ],
)
def test_the_checker_is_recognised_from_the_command(command: str, name: str) -> None:
    assert parser_for_command(command.split()).name == name


def test_an_unknown_checker_is_read_generically_under_its_own_name() -> None:
    parser = parser_for_command(["shellcheck", "-f", "gcc", "x.sh"])
    assert parser == LineParser("generic", "shellcheck")
    # The first program decides: a known checker's name later is only an argument.
    assert parser_for_command(["./lint.sh", "ruff"]).name == "generic"
    assert parser_for_command([]) is parser_named("generic")


def test_a_named_format_wins() -> None:
    assert parser_for(["./lint.sh"], "ruff") is parser_named("ruff")
    assert parser_for(["ruff", "check"], None) is parser_named("ruff")


def test_every_format_has_its_parser() -> None:
    """``formats.FORMATS`` (checked before the checker starts) and the parsers agree."""
    parsers = all_parsers()
    assert {name: parser.name for name, parser in parsers.items()} == {n: n for n in FORMATS}


def test_an_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"'rufff'.*eslint, flake8, generic, mypy"):
        parser_named("rufff")
