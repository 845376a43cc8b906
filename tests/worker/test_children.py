"""``hookwise.worker.children``: a child's stderr reaches the log, its session is its own."""

from __future__ import annotations

import os
from pathlib import Path

from hookwise.worker.children import start_module


def test_a_childs_stderr_goes_to_the_repositorys_log(tmp_path: Path) -> None:
    (tmp_path / "log").write_bytes(b"before\n")
    child = start_module(tmp_path, "json.tool", [])  # empty stdin: json.tool complains
    assert child.wait(30) == 1
    log = (tmp_path / "log").read_bytes()
    assert log.startswith(b"before\n")
    assert b"Expecting value" in log


def test_a_child_starts_when_the_log_cannot_be_opened(tmp_path: Path) -> None:
    child = start_module(tmp_path / "missing", "json.tool", [])
    assert child.wait(30) == 1
    assert not (tmp_path / "missing").exists()


def test_a_new_session_makes_the_child_lead_its_own_group(tmp_path: Path) -> None:
    leader = start_module(tmp_path, "json.tool", [], new_session=True)
    same = start_module(tmp_path, "json.tool", [])
    try:
        assert os.getpgid(leader.pid) == leader.pid
        assert os.getpgid(same.pid) == os.getpgrp()
    finally:
        leader.wait(30)
        same.wait(30)
