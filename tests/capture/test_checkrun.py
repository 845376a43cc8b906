"""A check run in the spool: written whole or not at all, read back exactly, bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.capture import checkrun
from hookwise.errors import IncompleteEventError, OversizedEventError, SpoolError

RUN = {
    "id": "a" * 32,
    "tool": "ruff",
    "command": ["ruff", "check", "."],
    "exit_code": 1,
    "duration_ms": 12,
    "head": None,
    "time": 1_700_000_000,
    "finding_count": 2,
}


def finding(n: int) -> dict[str, object]:
    return {
        "run_id": RUN["id"],
        "tool": "ruff",
        "rule": "F401",
        "message": f"`m{n}` imported but unused — ünïcode",
        "path": "pkg/mod.py",
        "line": n,
        "fingerprint": f"{n:020x}",
        "snippet": f"import m{n}",
        "language": "python",
        "fixable": True,
        "time": 1_700_000_000,
    }


def test_a_run_reads_back_as_written(tmp_path: Path) -> None:
    findings = [finding(1), finding(2)]
    path, kept = checkrun.write(tmp_path / "spool", RUN, findings)
    assert kept == 2 and Path(path).name == f"check-run-{RUN['id']}"
    assert checkrun.is_check_run(Path(path).name)
    assert checkrun.read(path) == (RUN, findings, None, "")
    assert [p.name for p in (tmp_path / "spool").iterdir()] == [Path(path).name]  # no temp


def test_a_run_over_the_bound_keeps_the_findings_that_fit_in_order(tmp_path: Path) -> None:
    findings = [finding(n) for n in range(1, 101)]
    text, kept = checkrun.render(RUN, findings, limit=10_000)
    assert 0 < kept < 100 and len(text.encode()) <= 10_000
    path = tmp_path / "check-run-x"
    path.write_text(text)
    run, rows, _, _ = checkrun.read(path)
    assert rows == findings[:kept] and run["finding_count"] == kept


def test_a_run_names_the_worktree_it_checked(tmp_path: Path) -> None:
    path, _ = checkrun.write(tmp_path / "spool", RUN, [finding(1)], worktree="/src/app")
    assert checkrun.read(path)[2] == "/src/app"


def test_a_file_cut_short_is_incomplete(tmp_path: Path) -> None:
    text, _ = checkrun.render(RUN, [finding(1), finding(2)])
    path = tmp_path / "check-run-x"
    path.write_text("".join(text.splitlines(keepends=True)[:-1]))  # no end line
    with pytest.raises(IncompleteEventError):
        checkrun.read(path)


@pytest.mark.parametrize(
    "text", ["hookwise 1\nhook post-commit\nend\n", '{"hookwise": "other"}\n{"end": 0}\n', "{"]
)
def test_what_is_not_a_check_run_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "check-run-x"
    path.write_text(text)
    with pytest.raises(SpoolError):
        checkrun.read(path)


def test_a_file_over_the_bound_is_refused_unread(tmp_path: Path) -> None:
    missing = tmp_path / "check-run-never-written"
    with pytest.raises(OversizedEventError):
        checkrun.read(missing, size=checkrun.MAX_CHECK_RUN_BYTES + 1)


def test_what_a_check_showed_round_trips_and_a_foreign_file_is_refused(tmp_path: Path) -> None:
    shown = [{"finding": {"tool": "ruff", "fingerprint": "fp"}, "arm": None, "strategies": []}]
    path = Path(checkrun.write_shown(tmp_path, "r1", 1_700_000_000, shown))
    assert path.name == "check-shown-r1"
    assert checkrun.is_shown(path.name) and checkrun.is_check_run(path.name)
    assert not checkrun.is_shown("check-run-r1")
    assert checkrun.read_shown(path) == ("r1", 1_700_000_000, shown)
    for text in (
        "not json",
        '{"hookwise": "check-run 1"}',
        '{"hookwise": "check-shown 1", "run_id": "r1"}',
        '{"hookwise": "check-shown 1", "run_id": "r1", "time": 1, "shown": [1]}',
    ):
        path.write_text(text)
        with pytest.raises(SpoolError, match="check-shown-r1"):
            checkrun.read_shown(path)
