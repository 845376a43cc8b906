"""Docs that cannot drift: the CLI reference is generated, every command has help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from hookwise.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_has_help() -> None:
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        assert (command.help or "").strip(), f"`hookwise {name}` has no help text"


def test_cli_reference_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_cli_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
