"""``hookwise check``'s light entry: its options, configured checks, and the worker behind it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

from hookwise.checks.entry import Usage, parse
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import check_runs, findings_of
from tests.cli.console import hookwise
from tests.gitrepo import GitRepo
from tests.waiting import wait_for

RUFF = [sys.executable, "-m", "ruff"]
NO_WORKER = {"HOOKWISE_NO_WORKER": "1"}


@pytest.mark.parametrize(
    ("argv", "command", "format_name", "repo"),
    [
        (["ruff", "check", "--fix"], ("ruff", "check", "--fix"), None, "."),
        (["--", "ruff", "--help"], ("ruff", "--help"), None, "."),
        (["--format", "mypy", "--repo=r", "mypy", "-"], ("mypy", "-"), "mypy", "r"),
        (["--format=generic", "--", "--weird"], ("--weird",), "generic", "."),
        ([], (), None, "."),
    ],
)
def test_options_come_before_the_command(
    argv: list[str], command: tuple[str, ...], format_name: str | None, repo: str
) -> None:
    request = parse(argv)
    assert request is not None
    assert (request.command, request.format_name, request.repo) == (command, format_name, repo)


def test_help_before_the_command_is_clicks_and_after_it_the_checkers() -> None:
    assert parse(["-h"]) is None and parse(["--format", "x", "--help"]) is None
    assert parse(["ruff", "-h"]) is not None


@pytest.mark.parametrize("argv", [["--bogus"], ["--format"], ["--repo"]])
def test_a_bad_option_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(Usage):
        parse(argv)


#: What the check path must not import, and what each would cost it (figures
#: of ``python -X importtime`` on the 2-core development machine).
HEAVY = (
    "click rich lancedb pyarrow numpy pygit2"  # 70 ms to seconds
    " dataclasses inspect"  # ~15 ms (hookwise.checks.frozen)
    " pathlib"  # ~6 ms
    " typing"  # ~6 ms
    " subprocess"  # ~9 ms (hookwise.checks.process)
    " hashlib"  # ~4 ms (hookwise.checks.fingerprint)
    " socket"  # ~3.5 ms (hookwise.capture.rpc)
    " threading"  # ~1 ms, and 1-5 ms a thread started (hookwise.checks.process.Pump)
).split()


def heavy_imports(cwd: Path, *argv: str) -> list[str]:
    """The ``HEAVY`` modules ``hookwise check ARGV`` imports, and the light path's own.

    What was loaded before hookwise (a coverage run loads more) does not
    count. The warm worker's side of the path (asking it, showing its answer,
    the rule prior) is imported too: without a worker the check does not
    reach it.
    """
    code = (
        "import sys; before = set(sys.modules)\n"
        "sys.argv = ['hookwise', 'check', *sys.argv[1:]]\n"
        "from hookwise.cli import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "import hookwise.capture.rpc, hookwise.checks.show, hookwise.checks.prior\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in heavy if m in set(sys.modules) - before), file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **NO_WORKER},
    )
    assert proc.returncode == 0, proc.stderr
    return cast(list[str], ast.literal_eval(proc.stderr.splitlines()[-1]))


def test_the_light_path_imports_nothing_heavy(repo: GitRepo) -> None:
    repo.write("mod.py", "import os\n")
    repo.commit("feat: start")
    # Registering the repository with the worker happens once, at its first check.
    assert hookwise("check", "true", cwd=repo.path, **NO_WORKER).returncode == 0
    assert heavy_imports(repo.path, *RUFF, "check", ".") == []


@pytest.mark.parametrize(
    "pyproject", [None, '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n']
)
def test_the_hook_in_a_repository_without_checks_imports_nothing_heavy(
    repo: GitRepo, pyproject: str | None
) -> None:
    """``install --check``'s hook runs ``check --if-configured`` at every commit.

    Without checks configured it used to import the configuration reader
    (pathlib, dataclasses, typing, tomllib: 16 ms of ``-X importtime``)
    only to find nothing to run.
    """
    if pyproject is not None:
        repo.write("pyproject.toml", pyproject)
    repo.commit("feat: start", {"mod.py": "import os\n"})
    assert hookwise("check", "true", cwd=repo.path, **NO_WORKER).returncode == 0
    assert heavy_imports(repo.path, "--if-configured") == []


def test_a_check_reaches_the_store_through_the_worker_it_wakes(repo: GitRepo) -> None:
    repo.write("mod.py", "import os\n")
    repo.commit("feat: start")
    proc = hookwise("check", *RUFF, "check", "--output-format", "concise", ".", cwd=repo.path)
    assert proc.returncode == 1 and "F401" in proc.stdout
    assert proc.stderr.splitlines() == [
        "hookwise: stored 1 finding from ruff",
        "hookwise: suggestions will be ready next time (the worker is starting)",
    ]
    paths = discover(repo.path)
    wait_for(lambda: not list(paths.spool_dir.glob("check-run-*")), timeout=120)
    store = Store.open(paths, readonly=True)
    [run] = check_runs(store)
    assert (run["exit_code"], run["head"]) == (1, repo.head())
    assert [f["rule"] for f in findings_of(store, run["id"])] == ["F401"]


CONFIG = """\
[tool.hookwise]
checks = [
  {{ name = "first", command = ["sh", "-c", "echo first; exit {first}"] }},
  {{ name = "ruff", command = {ruff}, format = "ruff" }},
]
"""


@pytest.mark.parametrize(("first", "code"), [(0, 1), (3, 3)])
def test_configured_checks_all_run_and_the_first_failure_is_the_code(
    repo: GitRepo, first: int, code: int
) -> None:
    repo.write("mod.py", "import os\n")
    ruff = [*RUFF, "check", "--output-format", "json", "."]
    repo.write("pyproject.toml", CONFIG.format(first=first, ruff=str(ruff).replace("'", '"')))
    repo.commit("feat: start")
    proc = hookwise("check", cwd=repo.path, **NO_WORKER)
    assert proc.returncode == code
    assert proc.stdout.startswith("first\n[") and '"code": "F401"' in proc.stdout
    assert proc.stderr.splitlines()[0] == "hookwise: first: sh -c echo first; exit " + str(first)
    assert len(list(discover(repo.path).spool_dir.glob("check-run-*"))) == 2


def test_a_bad_configuration_is_one_line_per_problem_and_exit_1(repo: GitRepo) -> None:
    repo.write(".hookwise.toml", 'checks = [{ command = "ruff" }, { name = 1, command = ["x"] }]\n')
    proc = hookwise("check", "--if-configured", cwd=repo.path, **NO_WORKER)
    assert proc.returncode == 1 and proc.stdout == ""
    assert [line.split(":")[1].strip() for line in proc.stderr.splitlines()] == [
        ".hookwise.toml",
        ".hookwise.toml",
    ]
