"""Search requests: what is refused before any store is read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hookwise.errors import UsageError
from hookwise.search.request import Filters, SearchRequest
from tests.gitrepo import GitRepo
from tests.store.broken import hookwise


def one_line(proc: subprocess.CompletedProcess[bytes]) -> bytes:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


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


def test_a_query_that_is_not_utf8_is_refused_by_the_request_the_worker_builds() -> None:
    args = {"query": b"\xff\xfe\x80abc".decode("utf-8", "surrogateescape"), "mode": "text"}
    with pytest.raises(UsageError, match=r"'\\xff\\xfe\\x80abc' is not valid UTF-8 text"):
        SearchRequest.from_args(args)


@pytest.mark.parametrize("mode", ["hybrid", "text"])
def test_a_query_that_is_not_utf8_gets_one_line_from_the_command(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    repo.commit("feat: abc")
    assert hookwise("backfill", "-q", "--repo", str(repo.path)).returncode == 0
    usage = hookwise("search", "x", "--type", "fix!", "--repo", str(repo.path))
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", "search", b"\xff\xfe\x80abc", "--mode", mode],
        cwd=repo.path,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == usage.returncode != 0  # as any other bad value
    assert one_line(proc) == (
        b"hookwise: the search query '\\xff\\xfe\\x80abc' is not valid UTF-8 text; "
        b"type it again in UTF-8 (is the terminal set to another encoding?)"
    )
