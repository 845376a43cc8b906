"""``hookwise search`` in a terminal: one line per commit found, best first."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hookwise.search.request import SearchResult


def hit_lines(result: SearchResult, width: int | None) -> list[str]:
    """Rank, short sha, day, author, score and subject; subjects cut to ``width`` if given."""
    lines = []
    for rank, hit in enumerate(result.hits, 1):
        day = hit.date[:10]
        head = f"{rank:>3}  {hit.sha[:10]}  {day}  {hit.author[:18]:<18}  {hit.score:7.3f}  "
        subject = hit.subject
        if width is not None and len(head) + len(subject) > width:
            subject = subject[: max(20, width - len(head)) - 1] + "…"
        lines.append(head + subject)
    return lines
