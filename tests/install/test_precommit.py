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
    assert [h["id"] for h in manifest] == ["hookwise-capture"]
    assert manifest[0]["stages"] == list(events.HOOKS)
