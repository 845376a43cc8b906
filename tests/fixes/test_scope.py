"""``hookwise.fixes.scope``: what a check run looked at, from its command."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.fixes.scope import Scope, scope


@pytest.fixture
def worktree(tmp_path: Path) -> Path:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "mod.py").write_text("")
    (tmp_path / "Makefile").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("command", "shape", "targets"),
    [
        (["ruff", "check"], ("ruff", "check"), ()),
        (["ruff", "check", "."], ("ruff", "check"), ()),
        (["ruff", "check", "./", "a.py"], ("ruff", "check"), ()),  # "." takes in everything
        (["ruff", "check", "a.py", "src/pkg/"], ("ruff", "check"), ("a.py", "src/pkg")),
        (["mypy", "src"], ("mypy",), ("src",)),  # an existing folder
        (["make", "Makefile"], ("make",), ("Makefile",)),  # an existing file of no language
        (["ruff", "check", "gone.ts"], ("ruff", "check"), ("gone.ts",)),  # a source file's name
        (
            ["ruff", "check", "--select", "F401", "a.py", "a.py"],
            ("ruff", "check", "--select", "F401"),
            ("a.py",),
        ),
        (["python", "-m", "pytest", "-k", "slow"], ("python", "-m", "pytest", "-k", "slow"), ()),
        (["src", "x"], ("src", "x"), ()),  # the program is never a target
    ],
)
def test_a_command_is_a_shape_and_targets(
    worktree: Path, command: list[str], shape: tuple[str, ...], targets: tuple[str, ...]
) -> None:
    assert scope(command, worktree) == Scope(shape, targets)


def test_absolute_paths_inside_the_worktree_are_targets(worktree: Path) -> None:
    inside, outside = str(worktree / "src" / "pkg"), "/usr/bin/python3"
    assert scope(["ruff", inside, outside], worktree) == Scope(("ruff", outside), ("src/pkg",))
    assert scope(["ruff", inside], None) == Scope(("ruff", inside), ())


def test_without_a_worktree_only_what_looks_like_a_path_is_a_target() -> None:
    assert scope(["mypy", "src", "src/pkg", "a.py"], None) == Scope(
        ("mypy", "src"), ("src/pkg", "a.py")
    )


def test_coverage_and_inclusion() -> None:
    whole = Scope(("ruff",), ())
    some = Scope(("ruff",), ("src", "a.py"))
    assert whole.covers("x/y.py") and whole.includes(some)
    assert some.covers("src/pkg/mod.py") and some.covers("a.py")
    assert not some.covers("srcs/mod.py") and not some.covers("b.py")
    assert not some.includes(whole)
    assert some.includes(Scope(("ruff",), ("src/pkg", "a.py")))
    assert not some.includes(Scope(("ruff",), ("b.py",)))


def test_targets_are_relative_to_the_folder_the_checker_ran_in() -> None:
    assert scope(["ruff", "check", "."], None, "docs") == Scope(("ruff", "check"), ("docs",))
    assert scope(["ruff", "check"], None, "docs").targets == ("docs",)
    assert scope(["ruff", "check", "conf.py", "../app.py"], None, "docs").targets == (
        "docs/conf.py",
        "app.py",
    )
    assert scope(["ruff", "check", ".."], None, "docs").targets == ()  # the whole repository
