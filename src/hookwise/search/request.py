"""What a search asks and what it answers: the request, its filters, the hits.

These are also the socket protocol (``SearchRequest.to_args`` /
``from_args``, ``SearchResult.to_json`` / ``from_json``), so the worker and
``search_in_process`` answer in exactly the same terms.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from hookwise.errors import UsageError

MODES = ("hybrid", "vector", "text")
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

_SPACE = re.compile(r"\s+")
_TYPE = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class Filters:
    author: str | None = None  # part of the author's name or email, any case
    # Committer time in seconds since the epoch: the first moment of the window's
    # first day, local midnight (``hookwise.insights.windows``), not git's "24 hours ago".
    since: int | None = None
    path: str | None = None  # a glob, or a path and everything below it
    type: str | None = None  # a conventional-commit type, or "merge" / "revert"

    @property
    def active(self) -> bool:
        return any(v is not None for v in asdict(self).values())


@dataclass(frozen=True)
class SearchRequest:
    query: str
    limit: int = DEFAULT_LIMIT
    mode: str = "hybrid"
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UsageError(
                f"unknown search mode {self.mode!r}; choose one of: {', '.join(MODES)}"
            )
        if not self.query.strip():
            raise UsageError("the search query is empty; say what you are looking for")
        _check_text(self.query)
        if not 1 <= self.limit <= MAX_LIMIT:
            raise UsageError(
                f"the number of results must be between 1 and {MAX_LIMIT}, not {self.limit}"
            )
        if self.filters.type is not None and not _TYPE.match(self.filters.type):
            raise UsageError(
                f"{self.filters.type!r} is not a commit type; use a word such as "
                "feat, fix, docs, refactor, merge or revert"
            )

    def to_args(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "limit": self.limit,
            "mode": self.mode,
            "filters": asdict(self.filters),
        }

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> SearchRequest:
        return cls(
            query=str(args["query"]),
            limit=int(args.get("limit", DEFAULT_LIMIT)),
            mode=str(args.get("mode", "hybrid")),
            filters=Filters(**dict(args.get("filters") or {})),
        )


@dataclass(frozen=True)
class Hit:
    sha: str
    subject: str
    date: str  # ISO 8601 author date, in the author's own time zone
    author: str
    score: float

    def to_json(self) -> dict[str, Any]:
        """The DESIGN §5 contract: ``{"sha","subject","date","author","score"}``."""
        return {
            "sha": self.sha,
            "subject": self.subject,
            "date": self.date,
            "author": self.author,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: tuple[Hit, ...]
    embedder: str | None = None
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "hits": [asdict(h) for h in self.hits],
            "embedder": self.embedder,
            "notices": list(self.notices),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchResult:
        return cls(
            query=str(data["query"]),
            mode=str(data["mode"]),
            hits=tuple(Hit(**h) for h in data["hits"]),
            embedder=data.get("embedder"),
            notices=tuple(data.get("notices") or ()),
        )


def _check_text(query: str) -> None:
    """Refuse a query holding bytes that are not UTF-8.

    Python hands such command-line bytes over as lone surrogates, which
    neither the embedder nor the full-text index can take. Searching only
    the valid part would answer a question the user did not ask, so the
    query is refused, and the bytes are named so the user can see them.
    """
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:
        raw = query.encode("utf-8", "surrogateescape")
        shown = raw.decode("utf-8", "backslashreplace")
        raise UsageError(
            f"the search query '{shown}' is not valid UTF-8 text; type it again in UTF-8 "
            "(is the terminal set to another encoding?)"
        ) from None


def normalise_query(query: str) -> str:
    """How a query is compared with the queries of earlier clicks."""
    return _SPACE.sub(" ", query.strip().lower()).strip(" ?!.")
