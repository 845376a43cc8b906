"""The repository every test of a module asks about (``tests/mcp/history.py``)."""

from __future__ import annotations

import pytest

from tests.mcp.history import History, build


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build(tmp_path_factory.mktemp("mcp"))


@pytest.fixture(autouse=True)
def no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers come from this process, with the embedder the store was built with."""
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
