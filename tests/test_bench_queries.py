"""The hand-written query sets on flask's and requests' histories keep the
shape the benchmark reads.

``bench/search_queries_flask.json`` and ``bench/search_queries_requests.json``
are scored by ``bench/search_quality.py`` beside the pytest set; these tests
say each still loads there, that every label is a full sha, and -- when the
history is on this machine -- that every labelled commit is in it and each
query has an answer a backfilled store can hold (a commit on a local branch).
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
# set name -> (its labelled queries, where this machine keeps its history)
SETS = {
    "flask": (
        ROOT / "bench" / "search_queries_flask.json",
        Path("/work/.mirror/pallets+flask/repo"),
    ),
    "requests": (
        ROOT / "bench" / "search_queries_requests.json",
        Path("/work/.mirror/psf+requests/repo"),
    ),
}
SHA = re.compile(r"[0-9a-f]{40}")
each_set = pytest.mark.parametrize("name", sorted(SETS))


def _data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SETS[name][0].read_text())
    return data


def _git(name: str, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(SETS[name][1]), *args],
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


@each_set
def test_the_query_set_is_well_formed(name: str) -> None:
    data = _data(name)
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


@each_set
def test_the_benchmark_loads_it_unchanged(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench(monkeypatch)
    loaded = bench.load_queries(SETS[name][0])
    assert [q.text for q in loaded] == [q["query"] for q in _data(name)["queries"]]
    assert all(q.accepted for q in loaded)


@each_set
def test_every_accepted_commit_is_in_its_history(name: str) -> None:
    if not SETS[name][1].exists():
        pytest.skip(f"{name}'s history is not on this machine")
    data = _data(name)
    shas = sorted({sha for q in data["queries"] for sha in q["accepted"]} | {data["head"]})
    found = _git(
        name, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="\n".join(shas)
    )
    assert found.split("\n")[:-1] == [f"{sha} commit" for sha in shas]
    # backfill stores what local branches reach: every query has an answer there
    stored = set(_git(name, "rev-list", "--branches").split())
    assert [q["query"] for q in data["queries"] if not stored & set(q["accepted"])] == []


def test_the_benchmark_scores_every_set_and_holds_requests_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench = _bench(monkeypatch)
    assert {name: bench.SETS[name][1] for name in SETS} == {n: q for n, (q, _) in SETS.items()}
    # pytest and flask are both tuning sets now; requests only decides
    assert bench.TUNING == ("pytest", "flask")
    assert "requests" not in bench.TUNING


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
