"""The names of the output formats ``hookwise check`` reads, without their parsers.

A format name given by the user is refused before the checker starts; the
parsers themselves (``hookwise.checks.registry``) are imported while it
runs, so their ~15 ms of imports overlap the checker's time. This list and
the registry's table are kept equal by a test.
"""

from __future__ import annotations

from hookwise.errors import UsageError

FORMATS = (
    "ruff",
    "mypy",
    "pyright",
    "flake8",
    "pycodestyle",
    "pylint",
    "pytest",
    "eslint",
    "generic",
)


def check_format(name: str | None) -> None:
    """Refuse a format no parser reads (``UsageError``); None is no format, and fine."""
    if name is not None and name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"no parser reads the format {name!r}; the formats are: {known}")
