"""A progress bar for long commands (backfill, reindex), on a terminal only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


@contextmanager
def progress_bar(*, stderr: bool = False) -> Iterator[Progress]:
    """A transient bar (gone once done, so only the summary line stays)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True) if stderr else None,
        transient=True,
    ) as bar:
        yield bar
