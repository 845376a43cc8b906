"""The worker's ``SuggestService`` under a deadline: no wait for the model, fuller next time."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from hookwise.capture.locations import RepoPaths
from hookwise.checks.findings import Finding
from hookwise.embed import Embedder, Vectors
from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.record import record
from hookwise.fixes.service import SuggestService
from hookwise.fixes.suggest import suggest_in_process
from hookwise.search.state import Embedders, VectorState, write_state
from hookwise.store.db import Store
from tests.fixes.lines import FINDING, line, lines
from tests.waiting import wait_for

UNSEEN = [
    Finding("ruff", "F401", "`sys` imported but unused", "tools/run.py", 3, snippet="import sys"),
    Finding("ruff", "F401", "`re` imported but unused", "tools/cli.py", 1, snippet="import re"),
]

LONG_LINE = {**FINDING, "rule": "E501", "message": "Line too long (99 > 88)"}


class Gated:
    """The hashing embedder, held back until the test lets it go (a slow model, on cue)."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.go = threading.Event()
        self.go.set()

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not self.go.wait(timeout=20):
            raise AssertionError("the model was waited for")
        return self.inner.embed(texts)


class Only(Embedders):
    """Every store's embedder is ``embedder``."""

    def __init__(self, embedder: Embedder) -> None:
        super().__init__()
        self.embedder = embedder

    def get(self, paths: RepoPaths, name: str) -> Embedder:
        return self.embedder


@pytest.fixture
def memory(store: Store) -> Store:
    """Two past fixes of F401, one of E501, with the store's embedder chosen."""
    write_state(store.paths, VectorState("hashing", HashingEmbedder().id))
    attempts = [
        line(time="2024-04-01T12:00:00Z"),
        line(strategy="add to __all__", outcome="failure", time="2024-04-02T12:00:00Z"),
        line(finding=LONG_LINE, strategy="wrap the line", time="2024-04-03T12:00:00Z"),
    ]
    assert record(store, lines(*attempts)).bad == ()
    return store


def test_unseen_findings_are_answered_from_their_rule_then_embedded_then_in_full(
    memory: Store,
) -> None:
    model = Gated()
    service = SuggestService(Only(model))
    assert service.when_idle(memory) is True  # the attempts' vectors, stored
    model.go.clear()  # from now on the model is slow
    first = service.suggest(memory, UNSEEN, 3, deadline=0.01)
    assert [answer.partial for answer in first.results] == [True, True]
    # The rule's own attempts still speak: what worked for F401 before.
    assert first.results[0].suggestions[0].strategy == "remove unused import"
    assert all(shape["partial"] is True for shape in first.to_json()["results"])
    model.go.set()  # the embedding that followed the answer finishes

    def full() -> bool:
        again = service.suggest(memory, UNSEEN, 3, deadline=0.01)
        return not any(answer.partial for answer in again.results)

    wait_for(full)
    later = service.suggest(memory, UNSEEN, 3, deadline=0.01)
    without = service.suggest(memory, UNSEEN, 3)
    assert later == without
    # Without a deadline the answer is DESIGN §5's shape, with no partial key.
    assert all("partial" not in shape for shape in without.to_json()["results"])


def test_a_fast_model_embeds_before_answering(memory: Store) -> None:
    service = SuggestService(Only(HashingEmbedder()))
    service.when_idle(memory)
    service.suggest(memory, UNSEEN[:1], 3)  # measures the model's pace
    [answer] = service.suggest(memory, UNSEEN[1:], 3, deadline=60.0).results
    assert not answer.partial


def test_a_deadline_that_is_no_number_is_a_usage_error(memory: Store) -> None:
    args = {
        "hookwise_dir": str(memory.paths.hookwise_dir),
        "findings": [UNSEEN[0].to_json()],
        "deadline_ms": "soon",
    }
    answer = SuggestService().serve_suggest(args)
    assert answer["kind"] == "UsageError" and "deadline_ms" in answer["error"]


def test_each_finding_is_answered_by_its_arm_configured_in_the_worktree(memory: Store) -> None:
    from hookwise.checks.fingerprint import fingerprint
    from hookwise.fixes.arms import arm_of

    worktree = memory.paths.common_dir.parent
    (worktree / ".hookwise.toml").write_text(
        "[ab]\nwith_prior = { neighbours = 0, common_fill = 0 }\n"
        "nothing = { neighbours = 0, prior_weight = 0, common_fill = 0 }\n"
    )
    service = SuggestService(Only(HashingEmbedder()))
    findings = [
        Finding(
            "ruff", "F401", f"`m{n}` imported but unused", f"pkg/m{n}.py", 1, snippet=f"import m{n}"
        )
        for n in range(12)
    ]
    args = {
        "hookwise_dir": str(memory.paths.hookwise_dir),
        "findings": [f.to_json() for f in findings],
        "worktree": str(worktree),
    }
    results = service.serve_suggest(args)["results"]
    names = ["with_prior", "nothing"]
    expected = [arm_of(fingerprint(f), names) for f in findings]
    assert [r["arm"] for r in results] == expected
    assert set(expected) == set(names)  # both arms answered some
    for result, arm in zip(results, expected, strict=True):
        # Arm "nothing" has no evidence at all; the other has the rule's attempts (and
        # neither fills places with the store's common strategies).
        strategies = [s["strategy"] for s in result["suggestions"]]
        assert strategies == ([] if arm == "nothing" else ["remove unused import"])
    # Without arms configured, the answer names none (DESIGN §5's shape).
    (worktree / ".hookwise.toml").unlink()
    plain = service.serve_suggest(args)["results"]
    assert all("arm" not in r for r in plain)


def test_the_worktree_settings_configure_the_recommender(memory: Store) -> None:
    worktree = memory.paths.common_dir.parent
    service = SuggestService(Only(HashingEmbedder()))
    args = {
        "hookwise_dir": str(memory.paths.hookwise_dir),
        "findings": [UNSEEN[0].to_json()],
        "worktree": str(worktree),
    }

    def strategies() -> list[str]:
        [result] = service.serve_suggest(args)["results"]
        return [s["strategy"] for s in result["suggestions"]]

    suggested = strategies()
    assert suggested[0] == "remove unused import"
    (worktree / ".hookwise.toml").write_text(
        "suggest = { neighbours = 0, prior_weight = 0, common_fill = 0 }\n"
    )
    assert strategies() == []  # no evidence may vote: nothing to suggest
    in_process = suggest_in_process(memory, [UNSEEN[0]])
    assert [
        s.strategy for s in in_process.results[0].suggestions
    ] == []  # the same without a worker
    (worktree / ".hookwise.toml").write_text('suggest = { neighbours = "none" }\n')
    assert strategies() == suggested  # a wrong setting changes nothing
