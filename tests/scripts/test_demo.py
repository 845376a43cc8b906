"""`make demo`'s last step: fixes in the history, learned, then suggested under a new check."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]


def _demo() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_shows_a_check_with_a_suggestion_learned_from_its_history(
    repo: GitRepo, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    repo.commit("chore: start")
    demo = _demo()
    assert demo.hookwise("init", "--repo", str(repo.path)) == ""
    demo.fix_memory(repo.path)
    out, err = capfd.readouterr()
    assert "learned 4 fixes from" in out  # three unused imports and one `== None`
    assert "app/cli.py:2" in out  # ruff's own report of the new finding, passed through
    suggestion = err[err.index("F401 app/cli.py:2") :].splitlines()
    assert suggestion[1].split()[:3] == ["remove", "`import", "a`"]
    assert "worked 3 of 3" in suggestion[1]
