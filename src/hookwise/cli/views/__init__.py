"""Terminal views: how results look in a terminal (rich tables, ``git show``-style text).

The capability packages return plain records; these modules turn them into
what a person reads, sized for an 80-column terminal. ``--json`` bypasses
them and prints the records' own ``to_json``.
"""

from __future__ import annotations

# typing is not loaded on the light search path (hookwise.cli.search_entry).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from rich.console import RenderableType


def print_sections(sections: list[RenderableType]) -> None:
    """Each section followed by a blank line, without rich's guesses at highlighting."""
    from rich.console import Console

    console = Console(highlight=False)
    for section in sections:
        console.print(section)
        console.print()
