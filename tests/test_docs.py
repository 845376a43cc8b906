"""Docs that cannot drift: the CLI reference is generated, every command has help."""

from __future__ import annotations

import difflib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import click

from hookwise.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "cli.md"


def generator() -> ModuleType:
    """``scripts/gen_cli_docs.py``, loaded from its file (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sections(text: str) -> dict[str, str]:
    """``## hookwise NAME`` heading -> the help text below it."""
    found = re.findall(r"^## (hookwise(?: \S+)?)\n\n```\n(.*?)\n```$", text, re.M | re.S)
    return dict(found)


def test_every_command_has_help() -> None:
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        assert (command.help or "").strip(), f"`hookwise {name}` has no help text"


def test_cli_reference_is_current() -> None:
    fresh = generator().render()
    committed = REFERENCE.read_text()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            "docs/cli.md (committed)",
            "docs/cli.md (generated)",
        )
    )
    assert not diff, f"docs/cli.md is stale; run `make docs`:\n{diff}"


def test_each_section_reads_as_the_command_prints_it() -> None:
    ctx = click.Context(main)
    visible = {n for n in main.list_commands(ctx) if not main.commands[n].hidden}
    found = sections(REFERENCE.read_text())
    assert set(found) == {"hookwise"} | {f"hookwise {name}" for name in visible}
    for heading, text in found.items():
        assert "hookwise hookwise" not in text, heading
        assert text.startswith(f"Usage: {heading} [OPTIONS]"), heading
        assert re.search(r"^  -h, --help\s", text, re.M), f"{heading} does not show -h"


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme


def test_the_recommenders_settings_are_listed_with_their_defaults() -> None:
    """docs/eval.md's table of arm keys and docs/online-ab.md's list are written by hand;
    they still gave `similarity_floor` 0.3 and missed five settings after a change."""
    import dataclasses

    from hookwise.checks.config import ARM_FIELDS
    from hookwise.fixes.recommend_config import RecommendConfig

    eval_doc = (ROOT / "docs/eval.md").read_text()
    table = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", eval_doc, re.M))
    for field in dataclasses.fields(RecommendConfig):
        default = "none" if field.default is None else str(field.default)
        assert table.get(field.name, "").strip() == default, field.name
    online = (ROOT / "docs/online-ab.md").read_text()
    for key in ARM_FIELDS:
        assert f"`{key}`" in online, key
