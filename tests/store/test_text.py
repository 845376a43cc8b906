"""The full-text index of commits: whether it exists, and searching with it."""

from __future__ import annotations

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.store import text
from hookwise.store.db import Store
from tests.gitrepo import GitRepo

COLUMNS = ("subject", "body")


def test_the_index_is_known_to_be_missing_until_it_is_built(repo: GitRepo) -> None:
    wanted = repo.commit("fix the colour of the progress bar")
    repo.commit("docs: explain fixtures")
    paths = discover(repo.path)
    backfill(paths)
    store = Store.open(paths)
    assert not text.has_index(store, COLUMNS)
    assert text.create_index(store, COLUMNS)
    assert text.has_index(store, COLUMNS)
    assert not text.create_index(store, COLUMNS)  # nothing left to build
    found = text.search(store, "colours", COLUMNS, where=None, limit=5)
    assert found.column("sha").to_pylist() == [wanted]  # stemmed: colours -> colour
    none = text.search(store, "colour", COLUMNS, where=f"sha = '{'0' * 40}'", limit=5)
    assert none.num_rows == 0
