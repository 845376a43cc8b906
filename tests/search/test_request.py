"""Search requests: what is refused before any store is read."""

from __future__ import annotations

import pytest

from hookwise.errors import UsageError
from hookwise.search.request import Filters, SearchRequest


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"mode": "fuzzy"}, "unknown search mode 'fuzzy'; choose one of: hybrid, vector, text"),
        ({"filters": Filters(type="fix!")}, "is not a commit type"),
        ({"limit": 0}, "number of results must be between 1 and 1000"),
    ],
)
def test_bad_requests(request_args: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        SearchRequest("x", **request_args)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="the search query is empty"):
        SearchRequest("   ")
