"""The capture package is the hook path: it imports the standard library, itself and the
error tree, nothing else, and the error tree imports only the standard library.

import-linter checks the package against a list of forbidden modules; this
checks every import statement against what is allowed, so a new dependency
cannot slip in under a name nobody thought to forbid.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import hookwise.errors
from hookwise import capture

CAPTURE = Path(capture.__file__).parent
ERRORS = Path(hookwise.errors.__file__)


def imported(path: Path) -> list[str]:
    """Every module an import statement in ``path`` names, TYPE_CHECKING blocks included."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: a relative import"
            assert node.module is not None
            names.append(node.module)
    return names


def is_stdlib(name: str) -> bool:
    return name.partition(".")[0] in sys.stdlib_module_names


@pytest.mark.parametrize("path", sorted(CAPTURE.glob("*.py")), ids=lambda p: p.name)
def test_capture_imports_the_standard_library_itself_and_the_errors(path: Path) -> None:
    allowed = [
        name
        for name in imported(path)
        if is_stdlib(name)
        or name == "hookwise.capture"
        or name.startswith("hookwise.capture.")
        or name == "hookwise.errors"
    ]
    assert imported(path) == allowed


def test_the_error_tree_imports_only_the_standard_library() -> None:
    assert all(is_stdlib(name) for name in imported(ERRORS))


def test_every_module_of_the_package_is_checked() -> None:
    """A subpackage would hide modules from the glob above."""
    assert not [p for p in CAPTURE.iterdir() if p.is_dir() and p.name != "__pycache__"]
