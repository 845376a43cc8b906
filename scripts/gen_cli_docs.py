"""Write docs/cli.md from the commands' own help, so the reference cannot drift.

    python scripts/gen_cli_docs.py          # rewrite docs/cli.md
    python scripts/gen_cli_docs.py --check  # exit 1 when docs/cli.md is stale

tests/test_docs.py compares docs/cli.md with ``render()`` in CI.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hookwise.cli import main as cli

# Wide enough for every help line, narrow enough to read on GitHub.
WIDTH = 88
DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADER = """# Command reference

Generated from the commands' own `--help` by `scripts/gen_cli_docs.py`; do not
edit by hand (`make docs` regenerates it, and CI fails when it is stale).
"""


def render() -> str:
    """The reference as ``hookwise NAME --help`` prints it, one section per command.

    The contexts come from ``make_context``, as when the command runs, so
    each one carries its command path (``hookwise NAME``, not the name given
    twice) and the group's settings such as ``-h``.
    """
    parts = [HEADER]
    ctx = cli.make_context("hookwise", [], resilient_parsing=True, terminal_width=WIDTH)
    parts.append(f"\n## hookwise\n\n```\n{cli.get_help(ctx)}\n```\n")
    for name in sorted(cli.list_commands(ctx)):
        command = cli.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        parts.extend(_sections(command, name, ctx))
    return "".join(parts)


def _sections(command: click.Command, name: str, parent: click.Context) -> list[str]:
    """The section of ``command``, then those of its subcommands (``hookwise fix record``)."""
    ctx = command.make_context(name, [], parent=parent, resilient_parsing=True)
    parts = [f"\n## {ctx.command_path}\n\n```\n{command.get_help(ctx)}\n```\n"]
    if isinstance(command, click.Group):
        for sub_name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, sub_name)
            if sub is not None and not sub.hidden:
                parts.extend(_sections(sub, sub_name, ctx))
    return parts


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text() != text:
            print("docs/cli.md is stale: run `python scripts/gen_cli_docs.py`", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
