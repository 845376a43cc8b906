"""The held-out query set on flask's history keeps the shape the benchmark reads.

``bench/search_queries_flask.json`` is only ever scored by
``bench/search_quality.py --queries``; these tests say it still loads there,
that every label is a full sha, and -- when flask's history is on this
machine -- that every labelled commit is in it and each query has an answer
a backfilled store can hold (a commit on a local branch).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "bench" / "search_queries_flask.json"
FLASK = Path("/work/.mirror/pallets+flask/repo")
SHA = re.compile(r"[0-9a-f]{40}")


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(QUERIES.read_text())
    return data


def _git(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(FLASK), *args],
        input=stdin,
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_the_flask_query_set_is_well_formed() -> None:
    data = _data()
    queries = data["queries"]
    assert len(queries) >= 40
    assert SHA.fullmatch(data["head"])
    texts = [" ".join(q["query"].lower().split()) for q in queries]
    assert all(texts)
    assert [t for t, n in Counter(texts).items() if n > 1] == []
    for query in queries:
        assert query["accepted"], query["query"]
        assert all(SHA.fullmatch(sha) for sha in query["accepted"]), query["query"]
        assert len(set(query["accepted"])) == len(query["accepted"]), query["query"]
        assert query["style"] in {"long", "short"}
        assert query["era"] in {"old", "middle", "recent"}
    # a mix of both styles and of every era, not one kind of question
    assert min(Counter(q["style"] for q in queries).values()) >= len(queries) // 3
    eras = Counter(q["era"] for q in queries)
    assert set(eras) == {"old", "middle", "recent"}
    assert min(eras.values()) >= len(queries) // 4


def test_the_benchmark_loads_it_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(
        "search_quality", ROOT / "bench" / "search_quality.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "search_quality", bench)  # its dataclasses look it up
    monkeypatch.setattr(sys, "path", list(sys.path))  # it puts src/ on the path
    spec.loader.exec_module(bench)
    loaded = bench.load_queries(QUERIES)
    assert [q.text for q in loaded] == [q["query"] for q in _data()["queries"]]
    assert all(q.accepted for q in loaded)


@pytest.mark.skipif(not FLASK.exists(), reason="flask's history is not on this machine")
def test_every_accepted_commit_is_in_flask_history() -> None:
    data = _data()
    shas = sorted({sha for q in data["queries"] for sha in q["accepted"]} | {data["head"]})
    found = _git("cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="\n".join(shas))
    assert found.split("\n")[:-1] == [f"{sha} commit" for sha in shas]
    # backfill stores what local branches reach: every query has an answer there
    stored = set(_git("rev-list", "--branches").split())
    assert [q["query"] for q in data["queries"] if not stored & set(q["accepted"])] == []
