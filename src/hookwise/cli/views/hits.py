"""``hookwise search`` in a terminal: one line per commit found, best first.

The light entry (``hookwise.cli.search_entry``) prints the worker's answer
with ``hit_line`` too, so this module imports nothing at all.
"""

from __future__ import annotations

# typing is not loaded on the light search path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from hookwise.search.request import SearchResult


def hit_lines(result: SearchResult, width: int | None) -> list[str]:
    """Rank, short sha, day, author, score and subject; subjects cut to ``width`` if given."""
    return [
        hit_line(rank, hit.sha, hit.date, hit.author, hit.score, hit.subject, width)
        for rank, hit in enumerate(result.hits, 1)
    ]


def hit_line(
    rank: int, sha: str, date: str, author: str, score: float, subject: str, width: int | None
) -> str:
    """One commit found: ``hit_lines``'s line for it."""
    head = f"{rank:>3}  {sha[:10]}  {date[:10]}  {author[:18]:<18}  {score:7.3f}  "
    if width is not None and len(head) + len(subject) > width:
        subject = subject[: max(20, width - len(head)) - 1] + "…"
    return head + subject
