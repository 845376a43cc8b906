"""Configured checks: .hookwise.toml wins over [tool.hookwise]; every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.checks.config import ARM_FIELDS, ConfiguredCheck, load_checks
from hookwise.errors import CheckConfigError

PYPROJECT = """\
[project]
name = "demo"

[tool.hookwise]
checks = [
  { name = "ruff", command = ["ruff", "check", "--output-format", "json"], format = "ruff" },
  { command = ["python", "-m", "mypy", "src"] },
]
"""


def test_checks_in_pyproject_are_read_in_order(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    config = load_checks(tmp_path)
    assert config.path == tmp_path / "pyproject.toml"
    assert config.checks == (
        ConfiguredCheck("ruff", ("ruff", "check", "--output-format", "json"), "ruff"),
        ConfiguredCheck("python", ("python", "-m", "mypy", "src"), None),
    )


def test_recheck_is_on_unless_turned_off(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert load_checks(tmp_path).recheck is True
    (tmp_path / ".hookwise.toml").write_text('recheck = false\nchecks = [{ command = ["ruff"] }]\n')
    assert load_checks(tmp_path).recheck is False
    (tmp_path / ".hookwise.toml").write_text('recheck = "no"\n')
    with pytest.raises(CheckConfigError, match=r"recheck: must be true or false, not 'no'"):
        load_checks(tmp_path)


def test_hookwise_toml_wins_and_is_not_merged(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / ".hookwise.toml").write_text('checks = [{ name = "lint", command = ["flake8"] }]\n')
    config = load_checks(tmp_path)
    assert config.path == tmp_path / ".hookwise.toml"
    assert config.checks == (ConfiguredCheck("lint", ("flake8",)),)


@pytest.mark.parametrize(
    "text", ["", '[project]\nname = "x"\n', "[tool.hookwise]\n", "[tool.black]\nline-length = 1\n"]
)
def test_no_configuration_is_no_checks(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert load_checks(tmp_path).checks == ()
    assert load_checks(tmp_path / "missing").path is None


def test_every_problem_is_one_line_naming_file_key_and_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.hookwise]\n"
        "check = 1\n"
        "checks = [\n"
        '  { command = "ruff check" },\n'
        '  { command = ["mypy"], format = "mypi", nmae = "x" },\n'
        '  "pytest",\n'
        '  { command = [], name = "" },\n'
        "]\n"
    )
    with pytest.raises(CheckConfigError) as caught:
        load_checks(tmp_path)
    assert list(caught.value.problems) == [
        "pyproject.toml: [tool.hookwise] check: unknown key "
        "(the keys are: checks, recheck, suggest, ab, sync)",
        "pyproject.toml: [tool.hookwise] checks[0].command: must be a non-empty list of "
        'non-empty strings, such as ["ruff", "check", "."], not \'ruff check\'',
        "pyproject.toml: [tool.hookwise] checks[1].nmae: unknown key "
        "(the keys are: name, command, format)",
        "pyproject.toml: [tool.hookwise] checks[1].format: no parser reads the format 'mypi'; "
        "the formats are: eslint, flake8, generic, mypy, pycodestyle, pylint, pyright, pytest, "
        "ruff",
        "pyproject.toml: [tool.hookwise] checks[2]: must be a table such as "
        "{ command = [...] }, not a string",
        "pyproject.toml: [tool.hookwise] checks[3].command: must be a non-empty list of "
        'non-empty strings, such as ["ruff", "check", "."], not []',
        "pyproject.toml: [tool.hookwise] checks[3].name: must be a non-empty string, not ''",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("checks = [\n", ".hookwise.toml: not valid TOML ("),
        ('checks = "ruff"\n', ".hookwise.toml: checks: must be a list of checks, not a string"),
    ],
)
def test_a_broken_hookwise_toml_is_named(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / ".hookwise.toml").write_text(text)
    with pytest.raises(CheckConfigError) as caught:
        load_checks(tmp_path)
    [line] = caught.value.problems
    assert line.startswith(problem)


def test_tool_hookwise_that_is_no_table_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nhookwise = "on"\n')
    with pytest.raises(CheckConfigError, match=r"^pyproject.toml: \[tool.hookwise\] must be"):
        load_checks(tmp_path)


def test_ab_arms_are_read_in_order_and_their_settings_are_recommend_configs(tmp_path: Path) -> None:
    from dataclasses import fields

    from hookwise.checks.config import ARM_FIELDS, load_arms
    from hookwise.fixes.recommend import RecommendConfig

    # The list the check path reads without numpy is RecommendConfig's fields, types and all.
    # An optional field is set to a number (TOML has no null to give it).
    declared = {f.name: str(f.type).removesuffix(" | None") for f in fields(RecommendConfig)}
    assert {name: ("int" if whole else "float") for name, whole in ARM_FIELDS.items()} == declared
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + "\n[tool.hookwise.ab]\nnear = { neighbours = 5 }\n"
        "far = { neighbours = 20, similarity_floor = 0.5 }\n"
    )
    assert load_arms(tmp_path) == (
        ("near", {"neighbours": 5}),
        ("far", {"neighbours": 20, "similarity_floor": 0.5}),
    )
    assert len(load_checks(tmp_path).checks) == 2  # the checks still read
    assert load_arms(tmp_path / "missing") == ()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert load_arms(tmp_path) == ()


def test_every_problem_of_the_ab_table_is_named(tmp_path: Path) -> None:
    from hookwise.checks.config import ARM_FIELDS, load_arms

    (tmp_path / ".hookwise.toml").write_text(
        "[ab]\n"
        "a = { neighbors = 5, neighbours = 2.5 }\n"
        'b = { prior_weight = "high", failure_weight = -1 }\n'
        "c = 3\n"
    )
    with pytest.raises(CheckConfigError) as caught:
        load_arms(tmp_path)
    assert list(caught.value.problems) == [
        ".hookwise.toml: ab: must name exactly 2 arms, such as a = { neighbours = 5 } and "
        "b = { neighbours = 20 }, not 3",
        ".hookwise.toml: ab.a.neighbors: unknown setting "
        f"(the settings are: {', '.join(ARM_FIELDS)})",
        ".hookwise.toml: ab.a.neighbours: must be a whole number, not 2.5",
        ".hookwise.toml: ab.b.prior_weight: must be a number, not 'high'",
        ".hookwise.toml: ab.b.failure_weight: must not be negative, not -1",
        ".hookwise.toml: ab.c: must be a table of settings, not a number",
    ]
    # A run of the configured checks names them too, before anything runs.
    with pytest.raises(CheckConfigError) as again:
        load_checks(tmp_path)
    assert again.value.problems == caught.value.problems


def test_suggest_settings_are_recommend_config_fields(tmp_path: Path) -> None:
    from hookwise.checks.config import load_suggest_settings

    assert load_suggest_settings(tmp_path) == {}
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + "\n[tool.hookwise.suggest]\nhalf_life_days = 90\nneighbours = 8\n"
    )
    assert load_suggest_settings(tmp_path) == {"half_life_days": 90, "neighbours": 8}
    (tmp_path / ".hookwise.toml").write_text('suggest = { half_life = 90, neighbours = "8" }\n')
    with pytest.raises(CheckConfigError) as caught:
        load_checks(tmp_path)  # a check run names the problems too
    assert list(caught.value.problems) == [
        f".hookwise.toml: suggest.half_life: unknown setting (the settings are: "
        f"{', '.join(ARM_FIELDS)})",
        ".hookwise.toml: suggest.neighbours: must be a whole number, not '8'",
    ]
