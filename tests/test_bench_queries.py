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


def _bench(monkeypatch: pytest.MonkeyPatch) -> Any:
    spec = importlib.util.spec_from_file_location(
        "search_quality", ROOT / "bench" / "search_quality.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "search_quality", bench)  # its dataclasses look it up
    monkeypatch.setattr(sys, "path", list(sys.path))  # it puts src/ on the path
    spec.loader.exec_module(bench)
    return bench


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
    bench = _bench(monkeypatch)
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


def test_the_benchmark_scores_both_sets_and_tunes_on_pytest_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench = _bench(monkeypatch)
    assert bench.SETS["flask"][1] == QUERIES
    assert bench.TUNING == "pytest"


def test_remembered_vectors_are_the_models_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hookwise.embed.testing import FakeEmbedder

    bench = _bench(monkeypatch)
    model = FakeEmbedder()
    cached = bench.CachedEmbedder(model, tmp_path)
    # a text whose digest ends in a NUL byte (numpy's "S20" keys would drop it)
    nul = next(
        t for t in (f"commit {i}" for i in range(10_000)) if bench.CachedEmbedder.key(t)[-1] == 0
    )
    texts = ["drop python 3.7", nul, "drop python 3.7"]
    first = cached.embed(texts)
    assert model.texts_embedded == texts[:2]  # a text repeated is embedded once
    assert first.tolist() == FakeEmbedder().embed(texts).tolist()
    cached.save()
    again = bench.CachedEmbedder(FakeEmbedder(), tmp_path)  # a second run
    assert again.embed(list(reversed(texts))).tolist() == first[::-1].tolist()
    assert again.inner.texts_embedded == []  # every text came from the file
