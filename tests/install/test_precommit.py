"""Living next to the pre-commit framework: the snippet hookwise prints."""

from __future__ import annotations

from pathlib import Path

import yaml

from hookwise.capture import events
from hookwise.install.precommit import precommit_snippet

ROOT = Path(__file__).resolve().parents[2]


def test_precommit_snippet_is_a_valid_pre_commit_config(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config

    snippet = precommit_snippet("v0.1.0")
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet)
    loaded = load_config(str(config))
    assert loaded["default_install_hook_types"][1:] == list(events.HOOKS)
    assert loaded["repos"][0]["hooks"][0]["id"] == "hookwise-capture"
    assert loaded["repos"][0]["rev"] == "v0.1.0"
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in manifest] == ["hookwise-capture", "hookwise-check"]
    assert manifest[0]["stages"] == list(events.HOOKS)


def test_the_check_hook_runs_the_checker_in_args_over_the_same_scope() -> None:
    """pre-commit appends ``args`` to ``entry``: ``hookwise check -- ruff check .``; no
    file names, so a finding missing from the next run was fixed, not unstaged."""
    from pre_commit.clientlib import load_manifest as load

    manifest = load(str(ROOT / ".pre-commit-hooks.yaml"))
    [hook] = [h for h in manifest if h["id"] == "hookwise-check"]
    assert hook["entry"] == "hookwise check --"
    assert (hook["stages"], hook["pass_filenames"]) == (["pre-commit"], False)


def test_configured_checks_become_hookwise_check_hooks_in_the_snippet(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config

    checks = [("ruff", ["ruff", "check", "."]), ("types", ["mypy", "--strict", "src"])]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(precommit_snippet("v0.1.0", checks))
    hooks = load_config(str(config))["repos"][0]["hooks"]
    assert [h["id"] for h in hooks] == ["hookwise-capture", "hookwise-check", "hookwise-check"]
    assert [h["args"] for h in hooks[1:]] == [["ruff", "check", "."], ["mypy", "--strict", "src"]]
    assert hooks[2]["name"] == "hookwise check (types)"
