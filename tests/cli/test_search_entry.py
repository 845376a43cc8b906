"""``hookwise search``'s light entry: its grammar, its output against the full command's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookwise.cli.search_entry import parse
from tests.cli.console import hookwise
from tests.gitrepo import GitRepo
from tests.search.commits import History, build, served

#: The full command, with the light entry skipped: click's group called directly.
FULL = "import sys; from hookwise.cli.app import run; sys.argv[0] = 'hookwise'; run()"


def full(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", FULL, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize(
    ("argv", "fields"),
    [
        (["drop python"], ("drop python", 10, "hybrid", None, None, None, ".", False)),
        (
            ["-n", "3", "x", "--json", "--mode=text", "--repo", "/"],
            ("x", 3, "text", None, None, None, "/", True),
        ),
        (
            ["--author=ada", "--path", "src/**", "--type", "FIX", "-n7", "q"],
            ("q", 7, "hybrid", "ada", "src/**", "fix", ".", False),
        ),
        (["--", "--json"], ("--json", 10, "hybrid", None, None, None, ".", False)),
        (
            ["a", "--author", "", "--limit", "2", "--limit", "4"],
            ("a", 4, "hybrid", None, None, None, ".", False),
        ),
    ],
)
def test_the_options_click_would_take(argv: list[str], fields: tuple[object, ...]) -> None:
    request = parse(argv)
    assert request is not None
    got = (request.query, request.limit, request.mode, request.author, request.path)
    assert (*got, request.type, request.repo, request.as_json) == fields


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no query: click's usage error
        ["a", "b"],  # two
        ["-h"],
        ["x", "--help"],
        ["x", "--since", "30d"],  # the date parser lives with click's command
        ["x", "--mode", "fuzzy"],
        ["x", "--limit", "0"],
        ["x", "-n", "many"],
        ["x", "-n=5"],
        ["x", "--limit"],
        ["x", "--bogus"],
        ["x", "--repo", "/no/such/folder"],
    ],
)
def test_anything_else_is_left_to_click(argv: list[str]) -> None:
    assert parse(argv) is None


@pytest.fixture
def warm(repo: GitRepo, state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[History]:
    """An embedded history (hashing embedder) and a real worker answering for it."""
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    built = build(repo)
    with served(built.paths):
        yield built


def last_search(history: History) -> dict[str, object]:
    data = json.loads((history.paths.store_dir / "last-search.json").read_text())
    assert isinstance(data, dict)
    data.pop("time")
    return data


#: Every kind of output: lines, JSON, filters, nothing found, an escape in the query.
COMPARED = [
    ["cache plugin crash"],
    ["cache plugin crash", "--json"],
    ["colour in the terminal", "--mode", "vector", "-n", "2"],
    ["fix", "--mode=text", "--json"],
    ["terminal", "--author", "ADA", "--path", "src/**"],
    ["python", "--type", "docs"],  # nothing found: one line on stderr
    ["python", "--type", "docs", "--json"],
    ["\x1b[31mred\x1b[0m subject"],
]


@pytest.mark.slow
def test_the_light_entry_prints_what_the_full_command_prints(warm: History) -> None:
    repo = ["--repo", str(warm.paths.worktree)]
    for args in COMPARED:
        light = hookwise("search", *args, *repo)
        light_memory = last_search(warm)
        (warm.paths.store_dir / "last-search.json").unlink()
        reference = full("search", *args, *repo)
        assert (light.returncode, light.stdout, light.stderr) == (
            reference.returncode,
            reference.stdout,
            reference.stderr,
        ), args
        assert light.returncode == 0 and light.stdout + light.stderr
        assert light_memory == last_search(warm)  # `hookwise show N` opens the same commit


LIGHT = """
import sys
from hookwise.cli import run
sys.argv = ["hookwise", "search", *sys.argv[1:]]
try:
    run()
except SystemExit as exc:
    heavy = "click rich numpy pyarrow lancedb pygit2".split()
    print(exc.code, *[name for name in heavy if name in sys.modules], file=sys.stderr)
"""


@pytest.mark.slow
def test_a_warm_search_imports_none_of_the_heavy_packages(warm: History) -> None:
    repo = str(warm.paths.worktree)
    proc = subprocess.run(
        [sys.executable, "-c", LIGHT, "cache plugin", "--repo", repo],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.splitlines()[0].split()[1] == warm.sha["cache"][:10]
    assert proc.stderr.split() == ["0"]  # answered here, with none of them loaded


@pytest.mark.slow
def test_what_the_worker_refuses_is_said_as_the_full_command_says_it(warm: History) -> None:
    repo = ["--repo", str(warm.paths.worktree)]
    for args in (["x", "--type", "feet"], ["  "], ["x", "--since", "soon"]):
        light = hookwise("search", *args, *repo)
        reference = full("search", *args, *repo)
        assert light.returncode == reference.returncode == 2
        assert light.stderr == reference.stderr and light.stderr.startswith("hookwise: ")


def test_without_a_worker_the_full_command_answers(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    built = build(repo)
    proc = hookwise(
        "search",
        "cache plugin crash",
        "--json",
        "--repo",
        str(built.paths.worktree),
        HOOKWISE_NO_WORKER="1",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["sha"] == built.sha["cache"]
