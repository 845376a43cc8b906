"""``hookwise check`` as a user runs it: the console script, the real ruff.

``HOOKWISE_NO_WORKER=1`` where the test is about the checker's side: the run
stays in the spool, and ``drain_now`` stores it as the worker would. The
worker's side, and suggestions, are in ``tests/checks/test_entry.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import check_runs, findings_of
from hookwise.worker.drain import drain_now
from tests.cli.console import hookwise, one_line
from tests.gitrepo import GitRepo

RUFF = [sys.executable, "-m", "ruff"]
NO_WORKER = {"HOOKWISE_NO_WORKER": "1"}


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    repo.write("mod.py", "import os\nimport sys\n\nprint(sys.argv)\n")
    repo.write("clean.py", "print(1)\n")
    repo.commit("feat: start")
    return repo


@pytest.mark.parametrize("dashes", [["--"], []])
@pytest.mark.parametrize(
    ("args", "code"),
    [(["check", "clean.py"], 0), (["check", "."], 1), (["check", "--no-such-option"], 2)],
)
def test_output_and_exit_code_are_the_checkers(
    project: GitRepo, dashes: list[str], args: list[str], code: int
) -> None:
    alone = subprocess.run([*RUFF, *args], cwd=project.path, capture_output=True, text=True)
    proc = hookwise("check", *dashes, *RUFF, *args, cwd=project.path, **NO_WORKER)
    assert alone.returncode == proc.returncode == code
    assert proc.stdout == alone.stdout
    summary = "hookwise: stored 1 finding from ruff\n" if code == 1 else ""
    assert proc.stderr == alone.stderr + summary


def test_options_before_the_command_are_hookwises(project: GitRepo, tmp_path: Path) -> None:
    proc = hookwise(
        "check",
        "--repo",
        str(project.path),
        "--format",
        "generic",
        *RUFF,
        "check",
        "--output-format",
        "concise",
        ".",
        cwd=tmp_path,
        **NO_WORKER,
    )
    assert proc.returncode == 1
    assert proc.stderr == "hookwise: stored 1 finding from generic\n"
    drain_now(discover(project.path))
    store = Store.open(discover(project.path), readonly=True)
    [row] = findings_of(store, check_runs(store)[0]["id"])
    assert (row["rule"], row["path"], row["snippet"]) == ("F401", "mod.py", "import os")


def test_a_checker_that_is_not_installed_exits_127(project: GitRepo) -> None:
    proc = hookwise("check", "no-such-checker", "--all", cwd=project.path)
    assert proc.returncode == 127 and proc.stdout == ""
    assert one_line(proc).startswith("hookwise: no-such-checker: command not found")


def test_no_command_and_no_configured_checks_is_a_usage_error(project: GitRepo) -> None:
    proc = hookwise("check", "--", cwd=project.path)
    assert proc.returncode == 2
    assert one_line(proc).startswith("hookwise: check: no checker to run: give its command")
    assert hookwise("check", "--if-configured", cwd=project.path).returncode == 0


def test_an_unknown_option_of_hookwises_is_a_usage_error(project: GitRepo) -> None:
    proc = hookwise("check", "--bogus", "ruff", cwd=project.path)
    assert proc.returncode == 2
    assert one_line(proc).startswith("hookwise: check: no such option: --bogus")
    proc = hookwise("check", "--format", cwd=project.path)
    assert (proc.returncode, one_line(proc)) == (
        2,
        "hookwise: check: --format needs a value (see `hookwise check -h` for help)",
    )


def test_help_is_clicks(project: GitRepo) -> None:
    proc = hookwise("check", "--help", cwd=project.path)
    assert proc.returncode == 0 and proc.stdout.startswith("Usage: ")
    assert "--if-configured" in proc.stdout
    # After the command, --help is the checker's.
    proc = hookwise("check", *RUFF, "--help", cwd=project.path, **NO_WORKER)
    assert proc.returncode == 0 and "Usage: ruff" in proc.stdout


def test_a_missing_repo_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = hookwise("check", "--repo", str(tmp_path / "nope"), "true", cwd=tmp_path)
    assert proc.returncode == 2
    assert one_line(proc).startswith("hookwise: check: --repo: the folder ")


def test_an_unknown_format_is_named_with_its_flag(project: GitRepo) -> None:
    proc = hookwise("check", "--format", "nope", "true", cwd=project.path)
    assert proc.returncode == 2
    assert one_line(proc).startswith("hookwise: --format: no parser reads the format 'nope'")


def test_output_the_parser_cannot_read_keeps_the_checkers_code(project: GitRepo) -> None:
    proc = hookwise(
        "check",
        "--format",
        "eslint",
        *RUFF,
        "check",
        "clean.py",
        "--quiet",
        "--output-format",
        "concise",
        cwd=project.path,
        **NO_WORKER,
    )
    assert proc.returncode == 0 and proc.stderr == ""  # nothing printed, nothing to refuse
    proc = hookwise(
        "check", "--format", "eslint", *RUFF, "check", ".", cwd=project.path, **NO_WORKER
    )
    assert proc.returncode == 1
    assert one_line(proc).startswith(
        "hookwise: findings of eslint were not stored: eslint's output"
    )


def test_an_unknown_checker_prints_path_line_message(project: GitRepo) -> None:
    proc = hookwise(
        "check", "printf", "mod.py:2: sys is shadowed\\n", cwd=project.path, **NO_WORKER
    )
    assert (proc.returncode, proc.stdout) == (0, "mod.py:2: sys is shadowed\n")
    assert proc.stderr == "hookwise: stored 1 finding from printf\n"


def test_outside_a_repository_the_checkers_code_stands(tmp_path: Path) -> None:
    proc = hookwise("check", "sh", "-c", "exit 3", cwd=tmp_path)
    assert proc.returncode == 3
    assert one_line(proc).startswith("hookwise: findings of sh were not stored: ")


def _interruptible() -> None:
    """Ctrl-C as a terminal gives it, even when this suite runs as a background job (whose
    shell ignores SIGINT, an ignore every child inherits: hookwise and its checker would
    rightly keep ignoring it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_reaches_the_checker_and_exits_130(project: GitRepo) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "hookwise", "check", "sh", "-c", "echo ready; exec sleep 60"],
        cwd=project.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **NO_WORKER},
        preexec_fn=_interruptible,  # no threads in the child before its exec
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n"  # the checker runs: interrupt hookwise
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 130
    assert stderr == "hookwise: interrupted\n"
