"""A store to record fix attempts in."""

from __future__ import annotations

import pytest

from hookwise.git.repo import discover
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


@pytest.fixture
def store(repo: GitRepo) -> Store:
    repo.commit("first")
    return Store.open(discover(repo.path))
