"""``hookwise suggest``: what fixed findings like these before (DESIGN §5).

For each finding, in the order given: the finding echoed, and the
strategies its nearest past attempts and its rule's recent attempts favour
(``hookwise.fixes.recommend``), each with a calibrated ``confidence``
(``hookwise.fixes.calibration``), its ``success_rate``, its ``support``
and up to three example fixes. The vectors are the store's active
embedder's (``hookwise.search.state``), so attempts and findings are
compared only with vectors of one embedder; before the store has one, only
the exact-rule prior speaks.

A store that knows nothing about a finding suggests nothing, except the
checker's own fix when the finding is ``fixable``: one suggestion of kind
``autofix`` with ``learned`` false, support 0, and no confidence or
success rate, since no attempt stands behind it.

The warm worker's ``SuggestService`` (``hookwise.fixes.service``) keeps
each repository's ``AttemptIndex`` until the ``fix_attempts`` table
changes, and fills the attempts' stored vectors when idle.
``suggest_in_process`` answers the same without a worker.

A finding marked ``partial`` was answered from its rule's attempts alone
(the exact-rule prior), without its nearest neighbours: the worker's answer
under a deadline (``hookwise check``'s) does not wait for the embedding
model. Without a deadline nothing is partial, and the key is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hookwise import memory
from hookwise.capture.locations import RepoPaths
from hookwise.checks.config import load_suggest_settings
from hookwise.checks.findings import Finding, language_of
from hookwise.embed import Embedder
from hookwise.errors import (
    CheckConfigError,
    ExtraMissingError,
    HookwiseError,
    SpoolError,
    StoreError,
)
from hookwise.fixes.context import Context, SourceFile, repository_id
from hookwise.fixes.index import AttemptIndex
from hookwise.fixes.partition import FloatMatrix
from hookwise.fixes.recommend import RecommendConfig, finding_text
from hookwise.fixes.record import BadLine, numbered_lines, parse_json
from hookwise.search.state import Embedders, store_embedder
from hookwise.store import fixes as table
from hookwise.store.db import Store

#: Attempts without a stored vector that building an index embeds itself;
#: more wait for the worker's idle task (MiniLM embeds 50-200 texts/s here).
EMBED_ON_READ = 2_000
#: Suggestions per finding unless the caller asks for another number.
DEFAULT_LIMIT = 5
#: Files whose parse (for a finding's complexity) an index remembers.
SOURCE_CACHE = 64
#: Bytes of source not parsed before that one request may read for its
#: findings' complexity; the rest go without (an unknown complexity costs a
#: vote nothing). ``ast.parse`` took 11-19 ms for 70 KB files and 42 ms for
#: 247 KB here, under load, against ``hookwise check``'s 50 ms budget.
SOURCE_BUDGET = 32_000
#: The checker's own fix, as the user runs it.
AUTOFIX = {"ruff": "ruff check --fix", "eslint": "eslint --fix"}


@dataclass(frozen=True)
class Suggestion:
    strategy: str
    kind: str
    confidence: float | None  # None for the checker's own fix: nothing was learned
    success_rate: float | None
    support: int
    examples: tuple[dict[str, str | None], ...]
    learned: bool = True
    source: str | None = None  # "other projects" for a pulled pattern (hookwise.fixes.pulled)
    repos: int | None = None  # how many other repositories a pulled pattern pools

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "kind": self.kind,
            "confidence": self.confidence,
            "success_rate": self.success_rate,
            "support": self.support,
            "examples": list(self.examples),
            "learned": self.learned,
            **({"source": self.source, "repos": self.repos} if self.source else {}),
        }


@dataclass(frozen=True)
class FindingSuggestions:
    finding: Finding
    suggestions: tuple[Suggestion, ...]
    # Answered from the exact-rule prior alone: its vector was not ready in time.
    partial: bool = False
    # The online A/B arm whose configuration answered (docs/online-ab.md); None without one.
    arm: str | None = None

    def to_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "finding": self.finding.to_json(),
            "suggestions": [s.to_json() for s in self.suggestions],
        }
        if self.partial:
            shape["partial"] = True
        if self.arm is not None:
            shape["arm"] = self.arm
        return shape

    @classmethod
    def from_json(cls, shape: dict[str, Any]) -> FindingSuggestions:
        suggestions = tuple(
            Suggestion(
                **{k: s[k] for k in ("strategy", "kind", "confidence", "success_rate", "support")},
                examples=tuple(s["examples"]),
                learned=s.get("learned", True),
                source=s.get("source"),
                repos=s.get("repos"),
            )
            for s in shape["suggestions"]
        )
        partial, arm = shape.get("partial") is True, shape.get("arm")
        arm = arm if isinstance(arm, str) else None
        return cls(Finding.from_json(shape["finding"]), suggestions, partial, arm)


@dataclass(frozen=True)
class SuggestResult:
    results: tuple[FindingSuggestions, ...]
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results], "notices": list(self.notices)}

    @classmethod
    def from_json(cls, shape: dict[str, Any]) -> SuggestResult:
        results = tuple(FindingSuggestions.from_json(r) for r in shape["results"])
        return cls(results, tuple(str(n) for n in shape.get("notices", ())))


# -- the findings asked about ------------------------------------------------------------


def parse_findings(data: bytes) -> tuple[list[Finding], list[Any], list[BadLine]]:
    """The findings of JSON lines (§5's shape), each line's object as given (to echo
    back unchanged), and the lines that are not a finding."""
    findings: list[Finding] = []
    shapes: list[Any] = []
    bad: list[BadLine] = []
    for number, line in numbered_lines(data):
        if isinstance(line, BadLine):
            bad.append(line)
            continue
        try:
            shape = parse_json(line)
            findings.append(Finding.from_json(shape))
            shapes.append(shape)
        except HookwiseError as exc:
            bad.append(BadLine(number, str(exc)))
    return findings, shapes, bad


def last_run_findings(store: Store) -> list[Finding]:
    """The findings of the newest check run, in file order (none before any run).

    ``hookwise check`` spools its run for the worker, so the newest run may
    not be stored yet: a spooled run newer than the stored ones is read from
    the spool, as the worker will store it.
    """
    runs = table.check_runs(store)
    spooled = _newest_spooled(store.paths)
    if spooled is not None and (not runs or spooled[0] >= runs[0]["time"]):
        rows: Sequence[Any] = spooled[1]
    elif runs:
        rows = table.findings_of(store, runs[0]["id"])
    else:
        return []
    return [
        Finding(
            tool=row["tool"],
            rule=row["rule"],
            message=row["message"],
            path=row["path"],
            line=row["line"],
            fixable=bool(row["fixable"]),
            snippet=row["snippet"],
            language=row["language"],
        )
        for row in rows
    ]


def _newest_spooled(paths: RepoPaths) -> tuple[int, list[dict[str, Any]]] | None:
    """The time and findings of the newest check run still in the spool, if any."""
    from hookwise.capture import checkrun
    from hookwise.capture.events import list_spool

    newest: tuple[int, list[dict[str, Any]]] | None = None
    for spooled in list_spool(paths.spool_dir):
        if not checkrun.is_check_run(spooled.path.name):
            continue
        try:
            run, rows, _, _ = checkrun.read(spooled.path, spooled.size)
        except (SpoolError, OSError):
            continue  # the worker sets it aside; it is no run to suggest for
        when = run.get("time")
        if isinstance(when, int) and (newest is None or when > newest[0]):
            newest = (when, rows)
    return newest


# -- the index ----------------------------------------------------------------------------


def load_index(
    store: Store,
    embedder: Embedder | None,
    config: RecommendConfig,
    *,
    embed_limit: int,
    before: int | None = None,
) -> AttemptIndex:
    """Every attempt with its current outcome and vector, read from ``store`` and calibrated.

    Attempts without a stored vector of ``embedder`` get one computed here,
    the newest ``embed_limit`` of them; the others count through the
    exact-rule prior only until the worker stores theirs. ``before`` (epoch
    seconds) keeps only what was recorded earlier: the memory as it was then.
    """
    version = store.version("fix_attempts")
    index = AttemptIndex.read(
        table.ranking_batches(store, before=before),
        embedder,
        embed_limit=embed_limit,
        version=version,
        rows_hint=store.count("fix_attempts"),  # confirmations too: a little over
    )
    index.calibrate(config)
    # The scan's temporaries back to the system: 100-120 MB at 100k attempts.
    memory.trim()
    return index


def suggest_with(
    store: Store,
    index: AttemptIndex,
    findings: Sequence[Finding],
    queries: FloatMatrix | None,
    config: RecommendConfig,
    *,
    limit: int = DEFAULT_LIMIT,
) -> list[FindingSuggestions]:
    """Suggestions for each finding, in order; ``queries[i]`` is finding i's vector."""
    columns = index.columns
    if index.embedder_id is None:
        queries = None
    ballot, rows = index.votes(
        queries,
        [columns.rule_code(f.tool, f.rule) for f in findings],
        [columns.language_code(f.language) for f in findings],
        config,
        contexts=finding_contexts(store, index, findings) if config.context_weight else None,
    )
    chosen = index.choose(ballot, [f.tool for f in findings], config, limit=limit)
    shown = index.examples_of(store, [int(rows[i]) for c in chosen for r in c for i in r.examples])
    confidences = iter(index.calibration.confidences([c.raw for cs in chosen for c in cs]))
    answers = []
    for finding, choices in zip(findings, chosen, strict=True):
        suggestions = [
            Suggestion(
                strategy=columns.strategies.names[c.strategy],
                kind=columns.kinds.names[c.kind],
                confidence=round(next(confidences), 4),
                success_rate=round(c.success_rate, 4),
                support=c.support,
                examples=tuple(shown[int(rows[i])].to_json() for i in c.examples),
            )
            for c in choices
        ]
        if finding.fixable and not any(s.kind == "autofix" for s in suggestions):
            if len(suggestions) >= limit:
                suggestions = suggestions[: limit - 1]
            suggestions.append(autofix(finding.tool))
        answers.append(FindingSuggestions(finding, tuple(suggestions)))
    return answers


def finding_contexts(
    store: Store, index: AttemptIndex, findings: Sequence[Finding]
) -> list[Context]:
    """Each finding's context as an attempt at it would have: this repository, its
    language, and the complexity at its line in the worktree's file (no skill: the
    asker names none). Parses are remembered by the index while the file is unchanged."""
    project = repository_id(store.paths.hookwise_dir)
    worktree = store.paths.worktree
    budget = [SOURCE_BUDGET]
    contexts = []
    for finding in findings:
        language = finding.language or language_of(finding.path)
        found = None
        inside = not Path(finding.path).is_absolute() and ".." not in Path(finding.path).parts
        if worktree is not None and finding.line is not None and inside:
            source = _source(index, worktree / finding.path, finding.path, language, budget)
            found = source.complexity_at(finding.line) if source is not None else None
        contexts.append(
            Context(
                project=project,
                language=language,
                complexity=None if found is None else float(found[0]),
                measure=None if found is None else found[1],
            )
        )
    return contexts


def _source(
    index: AttemptIndex, file: Path, path: str, language: str | None, budget: list[int]
) -> SourceFile | None:
    """The file parsed, from the index's cache, or read when ``budget`` (bytes left to
    read in this request) allows."""
    try:
        status = file.stat()
        key = (path, status.st_mtime_ns, status.st_size)
        source = index.sources.get(key)
        if source is None:
            if status.st_size > budget[0]:
                return None
            budget[0] -= status.st_size
            source = SourceFile(file.read_text(encoding="utf-8"), language)
            index.sources[key] = source
            while len(index.sources) > SOURCE_CACHE:
                index.sources.popitem(last=False)
    except (OSError, UnicodeDecodeError):  # gone, a directory, or not text
        return None
    return source


def autofix(tool: str) -> Suggestion:
    """The checker's own fix: suggested for a fixable finding, learned or not."""
    strategy = AUTOFIX.get(tool, f"{tool}'s own fix")
    return Suggestion(strategy, "autofix", None, None, 0, (), learned=False)


def active_embedder(
    paths: RepoPaths, embedders: Embedders | None
) -> tuple[Embedder | None, str | None]:
    """The store's embedder, or None and why similarity is off for now."""
    try:
        embedder, _ = store_embedder(paths, embedders)
    except (StoreError, ExtraMissingError) as exc:
        return None, f"suggesting from exact rule matches only: {exc}"
    return embedder, None


def configured(worktree: Path | None) -> RecommendConfig:
    """The defaults with the worktree's ``suggest`` settings; the defaults when they are wrong
    (``hookwise check`` names the problems; a suggestion is never refused for them)."""
    if worktree is None:
        return RecommendConfig()
    try:
        return replace(RecommendConfig(), **load_suggest_settings(worktree))  # type: ignore[arg-type]
    except (CheckConfigError, TypeError):
        return RecommendConfig()


def suggest_in_process(
    store: Store,
    findings: Sequence[Finding],
    *,
    limit: int = DEFAULT_LIMIT,
    config: RecommendConfig | None = None,
    embedder: Embedder | None = None,
    before: int | None = None,
) -> SuggestResult:
    """The answer without a worker: the index is read, embedded and calibrated here.

    Without ``config``, the repository's own settings (``suggest`` in its
    configuration) over the defaults, as the worker answers.
    """
    config = config or configured(store.paths.worktree)
    notice = None
    if embedder is None:
        embedder, notice = active_embedder(store.paths, None)
    index = load_index(store, embedder, config, embed_limit=EMBED_ON_READ, before=before)
    texts = [finding_text(f.tool, f.rule, f.message, f.snippet) for f in findings]
    queries = embedder.embed(texts) if embedder is not None and findings else None
    answers = suggest_with(store, index, findings, queries, config, limit=limit)
    from hookwise.fixes.pulled import load_pulled, with_pulled  # it imports this module

    answers = with_pulled(answers, load_pulled(store), limit) if before is None else answers
    notices = (notice,) if notice and len(index) else ()
    return SuggestResult(tuple(answers), notices)
