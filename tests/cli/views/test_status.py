"""``hookwise status`` in a terminal: the embedder's row."""

from __future__ import annotations

from rich.console import Console

from hookwise.cli.views.status import status_table
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.history.status import status
from tests.gitrepo import GitRepo


def test_the_embedder_row_says_how_far_a_move_has_come(repo: GitRepo) -> None:
    repo.commit("one")
    paths = discover(repo.path)
    backfill(paths)
    report = status(paths)
    embedder = {
        "id": "minilm:all-MiniLM-L6-v2",
        "waiting": 0,
        "description": "minilm:all-MiniLM-L6-v2",
        "moving": {"to": "minilm:all-MiniLM-L6-v2+message", "done": 12_345, "of": 81_966},
    }
    console = Console(record=True, width=300, color_system=None)
    console.print(
        status_table(report.__class__(**{**report.__dict__, "embedder": embedder}), paths)
    )
    [row] = [line for line in console.export_text().splitlines() if line.startswith("embedder")]
    assert row.split(None, 1)[1].rstrip() == (
        "minilm:all-MiniLM-L6-v2; every commit has a vector; moving to "
        "minilm:all-MiniLM-L6-v2+message vectors in the background: 12,345 of 81,966 commits"
    )
