"""A repository's name at the aggregator: configured, origin's, folder's; always valid."""

from __future__ import annotations

import re

import pytest

from hookwise.sync.identity import fit, repo_name
from hookwise.sync.wire import REPO_PATTERN
from tests.gitrepo import GitRepo


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("git@github.com:pallets/flask.git", "flask"),
        ("https://github.com/pytest-dev/pytest", "pytest"),
        ("https://example.com/a/b/my%20repo.git/", "my-20repo"),
        ("/srv/git/tools.git", "tools"),
    ],
)
def test_origin_names_it(repo: GitRepo, url: str, name: str) -> None:
    repo.git("remote", "add", "origin", url)
    assert repo_name(repo.path) == name


def test_the_folder_without_an_origin_and_the_configuration_over_both(repo: GitRepo) -> None:
    assert repo_name(repo.path) == "repo"
    repo.git("remote", "add", "origin", "git@example.com:team/api.git")
    repo.write("pyproject.toml", '[tool.hookwise.sync]\nrepo = "api-v2"\n')
    assert repo_name(repo.path) == "api-v2"


@pytest.mark.parametrize("raw", [".hidden", "naïve name", "x" * 300, "---", "ok.name_1"])
def test_every_name_fits_the_wire(raw: str) -> None:
    assert re.fullmatch(REPO_PATTERN, fit(raw))
