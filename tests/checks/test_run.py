"""``hookwise.checks.run`` and ``process``: the real ruff in a temporary repository."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

from hookwise.capture.checkrun import is_check_run
from hookwise.checks.findings import Finding
from hookwise.checks.fingerprint import fingerprints
from hookwise.checks.process import run_checker
from hookwise.checks.run import CheckResult, check
from hookwise.errors import (
    CheckerNotFoundError,
    CheckOutputError,
    NotARepositoryError,
    SpoolError,
    UsageError,
)
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import check_runs, findings_of
from hookwise.worker.drain import drain_now
from tests.gitrepo import GitRepo
from tests.store.broken import read_only

RUFF = [sys.executable, "-m", "ruff"]
SOURCE = "import os\nimport sys\n\n\ndef f():\n    return sys.argv\n"


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """A repository with one committed file holding one ruff finding (F401, fixable)."""
    repo.write("pkg/mod.py", SOURCE)
    repo.write("clean.py", "print(1)\n")
    repo.commit("feat: start")
    return repo


def run(command: list[str], cwd: Path, **options: object) -> tuple[CheckResult, bytes, bytes]:
    out, err = io.BytesIO(), io.BytesIO()
    result = check(command, cwd=cwd, stdout=out, stderr=err, **options)  # type: ignore[arg-type]
    return result, out.getvalue(), err.getvalue()


def spooled(repo: GitRepo) -> list[str]:
    """The check runs waiting in the repository's spool for the worker."""
    spool = discover(repo.path).spool_dir
    return sorted(p.name for p in spool.glob("*") if is_check_run(p.name)) if spool.exists() else []


def stored(repo: GitRepo) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """What the worker stores of the spooled runs (drained here, as the worker drains)."""
    assert spooled(repo), "nothing was handed to the worker"
    drain_now(discover(repo.path))
    assert not spooled(repo)
    store = Store.open(discover(repo.path), readonly=True)
    runs = check_runs(store)
    return [dict(r) for r in runs], [dict(f) for f in findings_of(store, runs[0]["id"])]


@pytest.mark.parametrize(
    "args",
    [
        ["check", "."],
        ["check", "--output-format", "json", "."],
        ["check", "--output-format", "concise", "clean.py"],
        ["check", "--no-such-option"],
    ],
)
def test_output_and_exit_code_are_ruffs_byte_for_byte(project: GitRepo, args: list[str]) -> None:
    alone = subprocess.run([*RUFF, *args], cwd=project.path, capture_output=True)
    result, out, err = run([*RUFF, *args], project.path)
    assert (out, err, result.exit_code) == (alone.stdout, alone.stderr, alone.returncode)
    assert result.problem is None


def test_exit_codes_0_1_2_pass_through(project: GitRepo) -> None:
    codes = [
        run([*RUFF, *args], project.path)[0].exit_code
        for args in (["check", "clean.py"], ["check", "."], ["check", "--no-such-option"])
    ]
    assert codes == [0, 1, 2]


def test_a_checker_that_is_not_installed_is_named(project: GitRepo) -> None:
    with pytest.raises(CheckerNotFoundError, match=r"^no-such-checker: command not found"):
        run(["no-such-checker", "."], project.path)
    assert not discover(project.path).store_dir.exists()


def test_findings_are_stored_with_their_fingerprints(project: GitRepo) -> None:
    result, _, _ = run([*RUFF, "check", "--output-format", "json", "."], project.path)
    assert (result.exit_code, result.stored, result.tool) == (1, 1, "ruff")
    runs, findings = stored(project)
    assert len(runs) == 1
    assert runs[0]["command"] == [*RUFF, "check", "--output-format", "json", "."]
    assert (runs[0]["exit_code"], runs[0]["finding_count"]) == (1, 1)
    assert runs[0]["head"] == project.head()
    [row] = findings
    assert (row["rule"], row["path"], row["line"]) == ("F401", "pkg/mod.py", 1)
    assert (row["snippet"], row["fixable"], row["language"]) == ("import os", True, "python")
    expected = Finding("ruff", "F401", "", "pkg/mod.py", 1, snippet="import os")
    assert row["fingerprint"] == fingerprints([expected])[0]


def test_a_run_in_a_subdirectory_stores_paths_from_the_top(project: GitRepo) -> None:
    result, _, _ = run([*RUFF, "check", "--output-format", "concise", "."], project.path / "pkg")
    assert result.stored == 1
    _, [row] = stored(project)
    assert (row["path"], row["snippet"]) == ("pkg/mod.py", "import os")


def test_a_clean_run_is_stored_too(project: GitRepo) -> None:
    result, _, _ = run([*RUFF, "check", "clean.py"], project.path)
    assert (result.exit_code, result.stored) == (0, 0)
    runs, findings = stored(project)
    assert (runs[0]["finding_count"], findings) == (0, [])


def test_format_overrides_what_the_command_looks_like(project: GitRepo) -> None:
    report = subprocess.run(
        [*RUFF, "check", "--output-format", "json", "."], cwd=project.path, capture_output=True
    ).stdout
    (project.path / "report.json").write_bytes(report)
    result, out, _ = run(["cat", "report.json"], project.path, format_name="ruff")
    assert (out, result.tool, result.stored) == (report, "ruff", 1)
    assert stored(project)[1][0]["rule"] == "F401"


def test_an_unknown_format_refuses_before_running(project: GitRepo) -> None:
    with pytest.raises(UsageError, match="no parser reads the format 'nope'"):
        run(["touch", "ran"], project.path, format_name="nope")
    assert not (project.path / "ran").exists()


def test_an_unknown_checker_is_read_as_path_line_message(project: GitRepo) -> None:
    result, out, _ = run(["printf", "pkg/mod.py:2: sys is shadowed\\n"], project.path)
    assert (out, result.exit_code, result.tool, result.stored) == (
        b"pkg/mod.py:2: sys is shadowed\n",
        0,
        "printf",
        1,
    )
    _, [row] = stored(project)
    assert (row["tool"], row["path"], row["line"], row["message"], row["snippet"]) == (
        "printf",
        "pkg/mod.py",
        2,
        "sys is shadowed",
        "import sys",
    )


def test_output_the_parser_cannot_read_keeps_the_checkers_code(project: GitRepo) -> None:
    result, _, _ = run([*RUFF, "check", "."], project.path, format_name="eslint")
    assert result.exit_code == 1 and result.stored is None
    assert isinstance(result.problem, CheckOutputError)
    assert not spooled(project)


def test_the_check_opens_no_store_it_hands_the_run_to_the_spool(project: GitRepo) -> None:
    result, _, _ = run([*RUFF, "check", "."], project.path)
    paths = discover(project.path)
    assert (result.exit_code, result.stored, len(spooled(project))) == (1, 1, 1)
    assert not paths.store_dir.exists()  # the worker makes it, not the check
    assert result.repository is not None
    assert Path(result.repository.top) == project.path.resolve()


def test_a_spool_that_cannot_be_written_keeps_the_checkers_code(project: GitRepo) -> None:
    paths = discover(project.path)
    paths.spool_dir.mkdir(parents=True)
    with read_only(paths.spool_dir):
        result, _, _ = run([*RUFF, "check", "clean.py"], project.path)
    assert (result.exit_code, result.stored) == (0, None)
    assert isinstance(result.problem, SpoolError)
    assert not spooled(project)


def test_outside_a_repository_the_checker_still_runs(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import os\n")
    result, out, _ = run([*RUFF, "check", "--output-format", "concise", "."], tmp_path)
    assert result.exit_code == 1 and b"F401" in out
    assert isinstance(result.problem, NotARepositoryError)


def test_output_is_passed_through_before_the_checker_ends(tmp_path: Path) -> None:
    """The checker waits for a file that the reader of its first line creates: were the
    output held back until the end, it would give up waiting and say so."""
    go = tmp_path / "go"

    class Releasing(io.BytesIO):
        def write(self, data: object) -> int:
            go.touch()
            return super().write(data)  # type: ignore[arg-type]

    script = (
        "echo first; i=0; while [ ! -e go ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done;"
        " [ -e go ] && echo second || echo late"
    )
    out = Releasing()
    finished = run_checker(["sh", "-c", script], tmp_path, stdout=out, stderr=io.BytesIO())
    assert out.getvalue() == finished.stdout == b"first\nsecond\n"


def test_both_streams_are_read_at_once(tmp_path: Path) -> None:
    """1 MiB on stderr before anything on stdout: read one after the other, it would block."""
    script = "head -c 1048576 /dev/zero >&2; echo done"
    out, err = io.BytesIO(), io.BytesIO()
    finished = run_checker(["sh", "-c", script], tmp_path, stdout=out, stderr=err)
    assert (out.getvalue(), len(err.getvalue()), finished.exit_code) == (b"done\n", 1 << 20, 0)


def test_a_terminal_gets_the_checker_a_terminal(tmp_path: Path) -> None:
    """On a terminal the checker colours as alone; the parser reads the text without codes."""
    reader, writer = pty.openpty()
    sink: BinaryIO = os.fdopen(writer, "wb", buffering=0)
    script = r"test -t 1 && printf '\033[1mm.py:1: bold\033[0m\n'"
    try:
        finished = run_checker(["sh", "-c", script], tmp_path, stdout=sink, stderr=io.BytesIO())
        seen = os.read(reader, 4096)
    finally:
        sink.close()
        os.close(reader)
    assert finished.exit_code == 0
    assert finished.stdout == b"\x1b[1mm.py:1: bold\x1b[0m\n"
    assert seen == b"\x1b[1mm.py:1: bold\x1b[0m\r\n"  # as the checker's own would show
    assert finished.text("stdout") == "m.py:1: bold\n"


def test_a_checker_killed_by_a_signal_exits_as_a_shell_says(tmp_path: Path) -> None:
    finished = run_checker(
        ["sh", "-c", "kill -TERM $$"], tmp_path, stdout=io.BytesIO(), stderr=io.BytesIO()
    )
    assert finished.exit_code == 128 + 15


def test_the_finding_json_of_a_stored_row_is_plain(project: GitRepo) -> None:
    run([*RUFF, "check", "."], project.path)
    _, findings = stored(project)
    json.dumps(findings)  # rows are plain values, as export writes them


def test_the_check_path_loads_no_lancedb_at_all(project: GitRepo) -> None:
    """The store's ~1.6 s import is the worker's; the check only spools."""
    code = (
        "import io, sys; from hookwise.checks.run import check; "
        f"check({[*RUFF, 'check', '.']!r}, cwd='.', stdout=io.BytesIO(), stderr=io.BytesIO()); "
        "print(sorted(m for m in ('lancedb', 'pyarrow', 'numpy', 'click') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=project.path, capture_output=True, text=True, check=True
    )
    assert proc.stdout == "[]\n"
    assert len(spooled(project)) == 1
