"""The vector-index builder, run as the worker runs it: ``python -m``, in a child."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.embed.testing import FakeEmbedder
from hookwise.errors import StoreError
from hookwise.search import index_build, vectors
from hookwise.store import vectors as stored
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.search.commits import changes


def test_the_builder_builds_the_index_of_a_store(repo: GitRepo, fake: FakeEmbedder) -> None:
    paths, _ = changes(repo, 3)
    store = Store.open(paths)
    while vectors.embed_waiting(store):
        pass
    assert not stored.has_index(store)
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise.search.index_build", str(paths.hookwise_dir)],
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert stored.has_index(store)


def test_a_failed_build_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "hookwise"
    with pytest.raises(StoreError, match=r"the index builder failed: hookwise: no hookwise store"):
        index_build.build_in_child(missing)


def test_the_builder_wants_exactly_one_directory(capsys: pytest.CaptureFixture[str]) -> None:
    assert index_build.main([]) == 2
    assert capsys.readouterr().err.strip() == index_build.USAGE
