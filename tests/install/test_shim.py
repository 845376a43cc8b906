"""The shim's own decisions: how a chained hook is run."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.install.shim import chained_shell


@pytest.mark.parametrize(
    ("shebang", "shell"),
    [
        ("#!/bin/sh", "/bin/sh"),
        ("#!/usr/bin/env sh", "sh"),
        ("#!/usr/bin/env bash", "bash"),
        ("#! /bin/bash", "/bin/bash"),
        ("#!/bin/dash", "/bin/dash"),
        ("#!/bin/sh -e", None),  # sourcing would lose -e
        ("#!/usr/bin/env zsh", None),  # zsh sets $0 to the sourced file
        ("#!/usr/bin/env python3", None),
        ("echo no shebang", None),
    ],
)
def test_chained_shell(tmp_path: Path, shebang: str, shell: str | None) -> None:
    hook = tmp_path / "hook"
    hook.write_text(shebang + "\necho hi\n")
    assert chained_shell(hook) == shell
