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


def test_the_demo_ends_by_syncing_to_an_embedded_aggregator(
    repo: GitRepo,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import urllib.request

    repo.commit("feat: one")
    repo.commit("fix: two")
    demo = _demo()
    monkeypatch.setattr(demo, "OUT", tmp_path)
    monkeypatch.setenv("HOOKWISE_SYNC_TOKEN", "")  # restored after the demo sets it
    demo.hookwise("init", "--repo", str(repo.path))
    server = demo.aggregator(repo.path)
    try:
        out, _ = capfd.readouterr()
        dashboard = out[out.index("dashboard: ") :].split()[1]
        signed = out[out.index("sign in with the token above: ") :]
        token = signed.split(")")[0].split()[-1]
        with urllib.request.urlopen(dashboard, timeout=10) as page:  # still serving
            assert b"<html" in page.read().lower()
        portfolio = demo.get_json(f"{dashboard}api/v1/portfolio?until=2023-11-15", token)
        [row] = portfolio["repos"]
        assert row["repo"] == repo.path.name
        assert row["commits"] == 2  # both commits of 2023-11-14, synced
    finally:
        demo.stop_previous_aggregator()  # what the next demo does first
        assert server.wait(timeout=30) is not None
