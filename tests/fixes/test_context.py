"""``hookwise.fixes.context``: complexity at a line, similarity, and what it does to ranking."""

from __future__ import annotations

import json
import textwrap

import pytest

from hookwise.checks.findings import Finding
from hookwise.embed.hashing import HashingEmbedder
from hookwise.fixes.context import (
    CYCLOMATIC,
    LINES,
    Context,
    SourceFile,
    attempt_context,
    repository_id,
    similarity,
)
from hookwise.fixes.recommend import RecommendConfig
from hookwise.fixes.record import record
from hookwise.fixes.suggest import suggest_in_process
from hookwise.store.db import Store
from hookwise.store.fixes import fix_attempts
from tests.fixes.lines import FINDING, line, lines

BRANCHY = textwrap.dedent(
    """\
    import os


    def branchy(items, flag):
        total = 0
        for item in items:
            if item and flag or not item:
                total += 1
        try:
            with open(os.devnull) as sink:
                sink.write("x")
        except OSError:
            pass
        except ValueError:
            pass
        evens = [i for i in items if i % 2 if i]
        match flag:
            case 1:
                pass
            case _:
                pass
        while total:
            total = total - 1 if total else 0

        def inner(a):
            if a:
                return 1
            return 2

        return evens, inner


    class Holder:
        size = 3
    """
)


def test_cyclomatic_complexity_counts_every_kind_of_branch() -> None:
    source = SourceFile(BRANCHY, "python")
    # for, if, and + or (2), with, 2 excepts, 2 comprehension ifs, 2 cases, while,
    # the conditional expression: 13 branches, + 1. ``inner``'s if is its own.
    assert source.complexity_at(5) == (14, CYCLOMATIC)
    assert source.complexity_at(27) == (2, CYCLOMATIC)  # inside inner
    assert source.complexity_at(1) == (1, LINES)  # a module-level import: its own line
    assert source.complexity_at(34) == (2, LINES)  # a class body: the class and its line
    assert source.complexity_at(None) is None and source.complexity_at(99) is None


def test_other_languages_and_broken_python_measure_their_block_in_lines() -> None:
    script = "function f(a) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\n"
    assert SourceFile(script, "javascript").complexity_at(3) == (3, LINES)  # the if block
    broken = "def f(:\n    x = 1\n    return x\n"
    assert SourceFile(broken, "python").complexity_at(2) == (3, LINES)


def test_similarity_takes_a_quarter_per_known_disagreement() -> None:
    here = Context(project="p", language="python", complexity=4, measure=CYCLOMATIC, skill="s")
    assert similarity(here, here) == 1.0
    assert similarity(here, Context()) == 1.0  # nothing known: nothing against it
    assert similarity(here, Context(language="typescript")) == 0.75
    assert similarity(here, Context(project="q", skill="t")) == 0.5
    half = Context(complexity=8, measure=CYCLOMATIC)
    assert similarity(here, half) == pytest.approx(1 - 0.25 * 0.5)
    assert similarity(here, Context(complexity=8, measure=LINES)) == 1.0  # not comparable
    everything = Context(project="q", language="go", complexity=0, measure=CYCLOMATIC, skill="t")
    assert similarity(here, everything) == 0.0


def test_a_stored_context_reads_back_and_a_bad_one_reads_as_unknown() -> None:
    text = json.dumps(
        {"complexity": 3, "complexity_measure": "lines", "language": "go", "skill": "bot"}
    )
    assert Context.of(text) == Context(None, "go", 3.0, LINES, "bot")
    assert Context.of("not json") == Context() == Context.of("[1]") == Context.of(None)
    assert Context.of('{"complexity": true}').complexity is None


def test_a_given_context_is_kept_and_only_filled_in() -> None:
    given = {"skill": "agent-x", "language": "cython"}
    context = attempt_context(
        project="p", language="python", source=SourceFile(BRANCHY, "python"), line=5, given=given
    )
    assert context == {
        "skill": "agent-x",
        "language": "cython",  # the caller's word stands
        "project": "p",
        "complexity": 14,
        "complexity_measure": CYCLOMATIC,
    }
    assert attempt_context(project=None, language=None, source=None, line=None) is None


def test_a_recorded_skill_and_context_are_stored(store: Store) -> None:
    given = {"skill": "fixer-bot", "complexity": 7}
    assert record(store, lines(line(context=given)), now=1_700_000_000).bad == ()
    [row] = fix_attempts(store)
    assert json.loads(row["context"] or "") == {
        **given,
        "language": "python",
        "project": repository_id(store.paths.hookwise_dir),
    }


AT = Finding(
    tool="ruff",
    rule="F401",
    message="`os` imported but unused",
    path="app/x.py",
    line=1,
    snippet="import os",
)


def _ranked(store: Store, config: RecommendConfig) -> list[str]:
    [answer] = suggest_in_process(store, [AT], embedder=HashingEmbedder(), config=config).results
    return [s.strategy for s in answer.suggestions]


def test_same_text_in_another_language_ranks_below_this_languages_fix(store: Store) -> None:
    ts_finding = {**FINDING, "path": "web/mod.ts"}
    record(
        store,
        lines(
            line(strategy="python way", time="2024-01-01T00:00:00Z"),
            # Newer, so it would win a tie.
            line(finding=ts_finding, strategy="typescript way", time="2024-01-02T00:00:00Z"),
        ),
        now=1_720_000_000,
    )
    voting = RecommendConfig(cross_language_weight=1.0, half_life_days=None, context_weight=0.5)
    assert _ranked(store, RecommendConfig(**{**voting.__dict__, "context_weight": 0.0})) == [
        "typescript way",
        "python way",
    ]
    assert _ranked(store, voting) == ["python way", "typescript way"]


def test_a_fix_from_another_project_ranks_below_this_projects(store: Store) -> None:
    record(
        store,
        lines(
            line(strategy="ours", time="2024-01-01T00:00:00Z"),
            line(
                strategy="theirs",
                time="2024-01-02T00:00:00Z",
                context={"project": "0123456789abcdef0123"},
            ),
        ),
        now=1_720_000_000,
    )
    config = RecommendConfig(half_life_days=None, context_weight=0.5)
    assert _ranked(store, config) == ["ours", "theirs"]
    off = RecommendConfig(half_life_days=None, context_weight=0.0)
    assert _ranked(store, off) == ["theirs", "ours"]


def test_the_findings_complexity_is_read_from_the_worktree(store: Store) -> None:
    worktree = store.paths.worktree
    assert worktree is not None
    (worktree / "app").mkdir()
    source = "def f(a):\n    import os\n    if a:\n        return 1\n"
    (worktree / "app" / "x.py").write_text(source)
    simple = {"complexity": 2, "complexity_measure": CYCLOMATIC}
    tangled = {"complexity": 40, "complexity_measure": CYCLOMATIC}
    record(
        store,
        lines(
            line(strategy="simple way", context=simple, time="2024-01-01T00:00:00Z"),
            line(strategy="tangled way", context=tangled, time="2024-01-02T00:00:00Z"),
        ),
        now=1_720_000_000,
    )
    at = Finding(
        tool="ruff", rule="F401", message="`os` imported but unused", path="app/x.py", line=2
    )
    config = RecommendConfig(half_life_days=None, context_weight=0.5)
    [answer] = suggest_in_process(store, [at], embedder=HashingEmbedder(), config=config).results
    assert [s.strategy for s in answer.suggestions] == ["simple way", "tangled way"]
    (worktree / "app" / "x.py").unlink()  # no file, no complexity: the newer wins the tie
    [answer] = suggest_in_process(store, [at], embedder=HashingEmbedder(), config=config).results
    assert [s.strategy for s in answer.suggestions] == ["tangled way", "simple way"]
