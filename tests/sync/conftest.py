"""A real aggregator, and a repository whose store holds a known week of work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.insights.test_metrics import week_of_work
from tests.sync.history import add_checks_and_fixes


@pytest.fixture(scope="module")
def aggregator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One server for a module (it starts in seconds); each test pushes its own repository."""
    pytest.importorskip("fastapi", reason="needs the server extra")
    from tests.sync.aggregator import running_aggregator

    folder = tmp_path_factory.mktemp("aggregator")
    with running_aggregator(folder) as running:
        yield running


@pytest.fixture
def week(repo: GitRepo) -> RepoPaths:
    """``week_of_work`` (2024-03-04 .. 07) backfilled, with checks and fixes on Thursday."""
    week_of_work(repo)
    paths = discover(repo.path)
    backfill(paths)
    add_checks_and_fixes(Store.open(paths), date(2024, 3, 7))
    return paths
