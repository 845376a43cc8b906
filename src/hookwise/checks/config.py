"""The checks a repository configures: what ``hookwise check`` runs when given no command.

Read from the worktree's top folder: ``.hookwise.toml`` when it exists
(its top level is hookwise's table), else ``[tool.hookwise]`` in
``pyproject.toml``. ``.hookwise.toml`` wins outright, as ``ruff.toml`` wins
over ``[tool.ruff]``: the two are never merged, so one file says everything::

    [tool.hookwise]
    checks = [
      { name = "ruff", command = ["ruff", "check", "--output-format", "json"], format = "ruff" },
      { name = "mypy", command = ["mypy", "src"] },
    ]

An optional ``ab`` table splits the worker's suggestions between two arms
(docs/online-ab.md): each arm is named by its key and is a table of
``RecommendConfig`` fields to override::

    [tool.hookwise.ab]
    a = { neighbours = 5 }
    b = { neighbours = 20 }

Each check has a ``command`` (a non-empty list of strings, run as it is,
without a shell), an optional ``name`` (by default the command's program)
and an optional ``format`` (one of ``formats.FORMATS``; by default the one
the command suggests). Every problem is found before anything runs and is
one line naming the file, the key and what is wrong
(``CheckConfigError.problems``); an unknown key is a problem too, so a
misspelt one is not silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from hookwise.checks.formats import FORMATS
from hookwise.checks.locate import OWN_CONFIG, PYPROJECT
from hookwise.errors import CheckConfigError

#: The keys of hookwise's table, and of one check.
TABLE_KEYS = ("checks", "recheck", "suggest", "ab", "sync")
CHECK_KEYS = ("name", "command", "format")
#: The fields of ``hookwise.fixes.recommend.RecommendConfig`` an arm may
#: override, and whether each is a whole number. Kept here, not imported:
#: ``recommend`` loads numpy (~100 ms), and the check path reads this file;
#: ``tests/checks/test_config.py`` holds the two lists equal.
ARM_FIELDS: dict[str, bool] = {
    "neighbours": True,
    "similarity_floor": False,
    "prior_weight": False,
    "prior_recent": True,
    "failure_weight": False,
    "pseudo_votes": False,
    "cross_language_weight": False,
    "examples": True,
    "similarity_power": False,
    "other_rule_weight": False,
    "batch_power": False,
    "half_life_days": False,  # None (no decay) is the default, not a setting: TOML has no null
    "context_weight": False,
    "memory_share": False,
    "memory_limit": True,
    "memory_batch_power": False,
    "common_fill": True,
}
#: An online A/B test compares exactly two arms.
ARM_COUNT = 2


@dataclass(frozen=True)
class ConfiguredCheck:
    name: str
    command: tuple[str, ...]
    format: str | None = None


@dataclass(frozen=True)
class ChecksConfig:
    """The configured checks, and the file they came from (None: no configuration).

    ``recheck``: whether the worker may run them again after a commit that
    touched the files of their open findings (``hookwise.worker.recheck``).
    """

    path: Path | None
    checks: tuple[ConfiguredCheck, ...]
    recheck: bool = True


Arms = tuple[tuple[str, dict[str, int | float]], ...]


def load_checks(top: Path) -> ChecksConfig:
    """The checks configured in the worktree whose top folder is ``top``.

    Raises ``CheckConfigError`` with every problem found.
    """
    found = _hookwise_table(top)
    if found is None:
        return ChecksConfig(None, ())
    path, table, where = found
    return ChecksConfig(path, *_checks(table, path.name, where))


def load_arms(top: Path) -> Arms:
    """The two arms of an online A/B test, in the order written; none when not configured.

    Each arm is its name and the ``RecommendConfig`` fields it overrides.
    Raises ``CheckConfigError`` with every problem found in the ``ab`` table.
    """
    return load_recommender(top)[1]


def load_suggest_settings(top: Path) -> dict[str, int | float]:
    """The recommender settings the repository sets for its suggestions (``suggest``).

    ``RecommendConfig`` fields, as an arm's are (``half_life_days = 90``
    turns decay on). Raises ``CheckConfigError`` with every problem found.
    """
    return load_recommender(top)[0]


def load_recommender(top: Path) -> tuple[dict[str, int | float], Arms]:
    """The ``suggest`` settings and the ``ab`` arms, from one reading of the configuration.

    Raises ``CheckConfigError`` with every problem found in either table.
    """
    found = _hookwise_table(top)
    if found is None:
        return {}, ()
    path, table, where = found
    problems: list[str] = []
    settings: dict[str, int | float] = {}
    arms: Arms = ()
    if table.get("suggest") is not None:
        settings = _settings(table["suggest"], f"{path.name}: {where}suggest", problems)
    if table.get("ab") is not None:
        arms = _arms(table["ab"], f"{path.name}: {where}ab", problems)
    if problems:
        raise CheckConfigError(problems)
    return settings, arms


def hookwise_table(top: Path) -> tuple[Path, dict[str, Any], str] | None:
    """hookwise's table, the file it is in, and how a problem names its place.

    ``hookwise.sync.config`` reads its ``sync`` table through this, so the two
    never disagree on which file wins.
    """
    return _hookwise_table(top)


def _hookwise_table(top: Path) -> tuple[Path, dict[str, Any], str] | None:
    own = top / OWN_CONFIG
    if own.is_file():
        return own, _table(own, None) or {}, ""
    pyproject = top / PYPROJECT
    if pyproject.is_file():
        table = _table(pyproject, ("tool", "hookwise"))
        if table is not None:
            return pyproject, table, "[tool.hookwise] "
    return None


def _table(path: Path, keys: tuple[str, ...] | None) -> dict[str, Any] | None:
    import tomllib  # ~10 ms: only a run of the configured checks pays it

    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckConfigError([f"{path.name}: cannot be read ({exc})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise CheckConfigError([f"{path.name}: not valid TOML ({exc})"]) from exc
    for key in keys or ():
        data = data.get(key) if isinstance(data, dict) else None
    if keys and data is not None and not isinstance(data, dict):
        raise CheckConfigError([f"{path.name}: [{'.'.join(keys)}] must be a table"])
    return data if isinstance(data, dict) else None


def _checks(
    table: dict[str, Any] | None, file: str, where: str
) -> tuple[tuple[ConfiguredCheck, ...], bool]:
    table = table or {}
    problems = [
        f"{file}: {where}{key}: unknown key (the keys are: {', '.join(TABLE_KEYS)})"
        for key in table
        if key not in TABLE_KEYS
    ]
    entries = table.get("checks", [])
    if not isinstance(entries, list):
        problems.append(f"{file}: {where}checks: must be a list of checks, not {_kind(entries)}")
        entries = []
    checks = []
    for index, entry in enumerate(entries):
        found = _check(entry, f"{file}: {where}checks[{index}]", problems)
        if found is not None:
            checks.append(found)
    recheck = table.get("recheck", True)
    if not isinstance(recheck, bool):
        problems.append(f"{file}: {where}recheck: must be true or false, not {recheck!r}")
    if table.get("suggest") is not None:
        _settings(table["suggest"], f"{file}: {where}suggest", problems)
    if table.get("ab") is not None:
        _arms(table["ab"], f"{file}: {where}ab", problems)
    if problems:
        raise CheckConfigError(problems)
    return tuple(checks), recheck


def _arms(ab: object, place: str, problems: list[str]) -> Arms:
    """The arms of the ``ab`` table; each problem appended to ``problems``."""
    if not isinstance(ab, dict):
        problems.append(f"{place}: must be a table of two arms, not {_kind(ab)}")
        return ()
    if len(ab) != ARM_COUNT:
        problems.append(
            f"{place}: must name exactly {ARM_COUNT} arms, such as "
            f"a = {{ neighbours = 5 }} and b = {{ neighbours = 20 }}, not {len(ab)}"
        )
    arms = []
    for name, overrides in ab.items():
        before = len(problems)
        settings = _settings(overrides, f"{place}.{name}", problems)
        if len(problems) == before or isinstance(overrides, dict):
            arms.append((name, settings))
    return tuple(arms)


def _settings(overrides: object, place: str, problems: list[str]) -> dict[str, int | float]:
    """A table of ``RecommendConfig`` settings; each problem appended to ``problems``."""
    if not isinstance(overrides, dict):
        problems.append(f"{place}: must be a table of settings, not {_kind(overrides)}")
        return {}
    for field, value in overrides.items():
        whole = ARM_FIELDS.get(field)
        if whole is None:
            problems.append(
                f"{place}.{field}: unknown setting (the settings are: {', '.join(ARM_FIELDS)})"
            )
        elif isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            wanted = "a whole number" if whole else "a number"
            problems.append(f"{place}.{field}: must be {wanted}, not {value!r}")
        elif value < 0:
            problems.append(f"{place}.{field}: must not be negative, not {value!r}")
    return dict(overrides)


def _check(entry: object, place: str, problems: list[str]) -> ConfiguredCheck | None:
    if not isinstance(entry, dict):
        problems.append(
            f"{place}: must be a table such as {{ command = [...] }}, not {_kind(entry)}"
        )
        return None
    before = len(problems)
    for key in entry:
        if key not in CHECK_KEYS:
            problems.append(f"{place}.{key}: unknown key (the keys are: {', '.join(CHECK_KEYS)})")
    command = entry.get("command")
    if not (
        isinstance(command, list)
        and command
        and all(isinstance(word, str) and word for word in command)
    ):
        problems.append(
            f"{place}.command: must be a non-empty list of non-empty strings, such as "
            f'["ruff", "check", "."], not {command!r}'
        )
    name = entry.get("name")
    if name is not None and not (isinstance(name, str) and name.strip()):
        problems.append(f"{place}.name: must be a non-empty string, not {name!r}")
    format_name = entry.get("format")
    if format_name is not None and format_name not in FORMATS:
        problems.append(
            f"{place}.format: no parser reads the format {format_name!r}; "
            f"the formats are: {', '.join(sorted(FORMATS))}"
        )
    if len(problems) > before:
        return None
    assert isinstance(command, list)
    return ConfiguredCheck(name or PurePath(command[0]).name, tuple(command), format_name)


def _kind(value: object) -> str:
    """A TOML value's kind, as the user wrote it."""
    kinds = {str: "a string", int: "a number", float: "a number", bool: "true/false"}
    kinds.update({list: "a list", dict: "a table"})
    return kinds.get(type(value), type(value).__name__)
