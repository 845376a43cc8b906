"""Fix attempts as the columns ranking reads, built a stored batch at a time.

No record per attempt: a string column becomes small integer codes into a
table that holds each distinct string once (a few hundred rules and
strategies against 100k attempts), so reading 100k attempts makes 100k
numbers per column, not 100k Python objects (the records they replace took
about 11 s and 700 MB at that size, ``bench/suggest.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hookwise.fixes.memory import CurrentAttempt
from hookwise.fixes.recommend import OUTCOME_CODES, PENDING, finding_text
from hookwise.store.fixes import RANKING_COLUMNS, ROW_ID

Name = TypeVar("Name")
Codes32 = npt.NDArray[np.int32]

#: A language no stored attempt has (a finding's language the store has not seen).
UNSEEN = -2


class Table(Generic[Name]):
    """Distinct names, each once, and their codes (the order they were met in)."""

    def __init__(self, *seed: Name) -> None:
        self.names: list[Name] = []
        self.codes: dict[Name, int] = {}
        for name in seed:
            self.of(name)

    def of(self, name: Name) -> int:
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.names)
            self.names.append(name)
        return code

    def __len__(self) -> int:
        return len(self.names)

    def encode(self, column: pa.Array) -> Codes32:
        """The codes of a column's values (added to the table when new)."""
        encoded = pc.dictionary_encode(column)
        mapping = np.array([self.of(v) for v in encoded.dictionary.to_pylist()], np.int32)
        codes: Codes32 = mapping[encoded.indices.to_numpy(zero_copy_only=False)]
        return codes


@dataclass
class Columns:
    """One entry per attempt (never a confirmation): what ranking and examples need."""

    ids: pa.Array  # the attempts' ids
    row_ids: npt.NDArray[np.int64]  # where the store keeps each row (-1: not known)
    rule: Codes32  # into rules: (tool, rule)
    strategy: Codes32
    kind: Codes32
    language: Codes32  # 0: not known
    context: Codes32  # into contexts: the stored context text; 0: none
    outcome: npt.NDArray[np.int8]  # the latest confirmation's: SUCCESS, FAILURE, PENDING
    time: npt.NDArray[np.int64]
    recency: npt.NDArray[np.int64]  # 0 for the newest attempt (time, then id)
    showable: npt.NDArray[np.bool_]  # has a commit or a diff
    present: npt.NDArray[np.bool_]  # has a vector
    rules: Table[tuple[str, str]]
    strategies: Table[str]
    kinds: Table[str]
    languages: Table[str | None]
    contexts: Table[str]

    def __len__(self) -> int:
        return len(self.time)

    @property
    def strategy_rank(self) -> npt.NDArray[np.int64]:
        """Each strategy code's place in name order (ranking's last tie-break)."""
        names = self.strategies.names
        rank = np.empty(len(names), np.int64)
        rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        return rank

    def take(self, order: npt.NDArray[np.int64]) -> Columns:
        """The rows ``order`` names, in that order (the code tables shared)."""
        return replace(
            self,
            ids=self.ids.take(pa.array(order)),
            **{
                name: getattr(self, name)[order]
                for name in (
                    "row_ids",
                    "rule",
                    "strategy",
                    "kind",
                    "language",
                    "context",
                    "outcome",
                    "time",
                    "recency",
                    "showable",
                    "present",
                )
            },
        )

    def rule_code(self, tool: str, rule: str) -> int:
        """-1 for a rule no attempt has."""
        return self.rules.codes.get((tool, rule), -1)

    def language_code(self, language: str | None) -> int:
        return self.languages.codes.get(language or None, UNSEEN)


def read_columns(
    batches: Iterable[pa.RecordBatch],
    embedder_id: str | None,
    dimension: int,
    *,
    rows_hint: int = 0,
) -> tuple[Columns, npt.NDArray[np.float16], dict[int, str]]:
    """The attempts of stored ``batches`` (``RANKING_COLUMNS``), their vectors of
    ``embedder_id`` (float16 as stored, zero rows where there is none) and the
    texts of the rows without one (when there is an embedder).

    The vectors go straight into one buffer of ``rows_hint`` rows (grown if
    more come): gathering them batch by batch and joining them held them
    twice, 154 MB at 100k attempts, and the worker kept the peak.
    """
    buffer = np.zeros((rows_hint, dimension), np.float16)
    rules: Table[tuple[str, str]] = Table()
    strategies: Table[str] = Table()
    kinds: Table[str] = Table()
    languages: Table[str | None] = Table(None)
    contexts: Table[str] = Table("")
    parts: dict[str, list[Any]] = {name: [] for name in _PARTS}
    confirmations: list[tuple[int, bool, str, str, str]] = []
    texts: dict[int, str] = {}
    rows = 0
    for batch in batches:
        confirms = batch.column("confirms")
        if confirms.null_count < len(batch):
            for row in batch.filter(pc.is_valid(confirms)).to_pylist():
                key = (row["recorded_at"], row["outcome"] == "failure", row["id"])
                confirmations.append((*key, row["confirms"], row["outcome"]))
            batch = batch.filter(pc.is_null(confirms))
        if not len(batch):
            continue
        parts["ids"].append(batch.column("id"))
        parts["row_ids"].append(_row_ids(batch))
        parts["rule"].append(_rule_codes(rules, batch.column("tool"), batch.column("rule")))
        parts["strategy"].append(strategies.encode(batch.column("strategy")))
        parts["kind"].append(kinds.encode(batch.column("kind")))
        parts["language"].append(
            languages.encode(
                pc.if_else(pc.equal(batch.column("language"), ""), None, batch.column("language"))
            )
        )
        parts["context"].append(
            contexts.encode(pc.fill_null(batch.column("context"), ""))
            if "context" in batch.schema.names
            else np.zeros(len(batch), np.int32)
        )
        parts["outcome"].append(_outcome_codes(batch.column("outcome")))
        parts["time"].append(batch.column("time").to_numpy(zero_copy_only=False))
        parts["showable"].append(
            _non_empty(batch.column("commit")) | _non_empty(batch.column("diff"))
        )
        if rows + len(batch) > len(buffer):
            grown = np.zeros((max(2 * len(buffer), rows + len(batch)), dimension), np.float16)
            grown[:rows] = buffer[:rows]
            buffer = grown
        present = _vectors(batch, embedder_id, buffer[rows : rows + len(batch)])
        parts["present"].append(present)
        if embedder_id is not None and not present.all():
            lacking = batch.filter(pa.array(~present)).select(
                ["tool", "rule", "message", "snippet"]
            )
            for offset, row in zip(
                np.flatnonzero(~present).tolist(), lacking.to_pylist(), strict=True
            ):
                texts[rows + offset] = finding_text(
                    row["tool"], row["rule"], row["message"], row["snippet"]
                )
        rows += len(batch)
    ids = (
        pa.concat_arrays([p.cast(pa.string()) for p in parts.pop("ids")])
        if rows
        else pa.array([], pa.string())
    )
    joined = {
        name: np.concatenate(chunks) if chunks else np.zeros(0, _PARTS[name])
        for name, chunks in parts.items()
    }
    vectors = buffer[:rows]
    parts.clear()
    time = joined["time"].astype(np.int64)
    newest_first = pc.sort_indices(
        pa.table({"time": time, "id": ids}),
        sort_keys=[("time", "descending"), ("id", "descending")],
    ).to_numpy()
    recency = np.empty(rows, np.int64)
    recency[newest_first] = np.arange(rows)
    outcome = joined["outcome"].astype(np.int8)
    _confirm(outcome, ids, confirmations)
    columns = Columns(
        ids=ids,
        row_ids=joined["row_ids"].astype(np.int64),
        rule=joined["rule"].astype(np.int32),
        strategy=joined["strategy"].astype(np.int32),
        kind=joined["kind"].astype(np.int32),
        language=joined["language"].astype(np.int32),
        context=joined["context"].astype(np.int32),
        outcome=outcome,
        time=time,
        recency=recency,
        showable=joined["showable"].astype(np.bool_),
        present=joined["present"].astype(np.bool_),
        rules=rules,
        strategies=strategies,
        kinds=kinds,
        languages=languages,
        contexts=contexts,
    )
    return columns, vectors, texts


_PARTS: dict[str, Any] = {
    "ids": np.object_,
    "row_ids": np.int64,
    "rule": np.int32,
    "strategy": np.int32,
    "kind": np.int32,
    "language": np.int32,
    "context": np.int32,
    "outcome": np.int8,
    "time": np.int64,
    "showable": np.bool_,
    "present": np.bool_,
}


def _row_ids(batch: pa.RecordBatch) -> npt.NDArray[np.int64]:
    if ROW_ID not in batch.schema.names:
        return np.full(len(batch), -1, np.int64)
    row_ids: npt.NDArray[np.int64] = batch.column(ROW_ID).to_numpy(zero_copy_only=False)
    return row_ids.astype(np.int64)


def _rule_codes(rules: Table[tuple[str, str]], tool: pa.Array, rule: pa.Array) -> Codes32:
    tools, names = pc.dictionary_encode(tool), pc.dictionary_encode(rule)
    span = len(names.dictionary)
    local = tools.indices.to_numpy().astype(np.int64) * span + names.indices.to_numpy()
    pairs, which = np.unique(local, return_inverse=True)
    tool_names, rule_names = tools.dictionary.to_pylist(), names.dictionary.to_pylist()
    mapping = np.array(
        [rules.of((tool_names[p // span], rule_names[p % span])) for p in pairs.tolist()],
        np.int32,
    )
    return mapping[which]


def _outcome_codes(outcome: pa.Array) -> npt.NDArray[np.int8]:
    encoded = pc.dictionary_encode(outcome)
    mapping = np.array(
        [OUTCOME_CODES.get(v, PENDING) for v in encoded.dictionary.to_pylist()], np.int8
    )
    codes: npt.NDArray[np.int8] = mapping[encoded.indices.to_numpy(zero_copy_only=False)]
    return codes


def _non_empty(column: pa.Array) -> npt.NDArray[np.bool_]:
    filled = pc.fill_null(pc.greater(pc.binary_length(column), 0), False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), np.bool_)


def _vectors(
    batch: pa.RecordBatch, embedder_id: str | None, vectors: npt.NDArray[np.float16]
) -> npt.NDArray[np.bool_]:
    """Which rows of ``batch`` have ``embedder_id``'s vector, written into ``vectors``."""
    if embedder_id is None or "vector" not in batch.schema.names:
        return np.zeros(len(batch), np.bool_)
    column = batch.column("vector")
    mine = pc.and_(pc.equal(batch.column("embedder"), embedder_id), pc.is_valid(column))
    present = np.asarray(pc.fill_null(mine, False).to_numpy(zero_copy_only=False), np.bool_)
    if present.any():
        stored = column.filter(pa.array(present))
        flat = stored.flatten().to_numpy(zero_copy_only=False)
        vectors[present] = flat.reshape(len(stored), -1)[:, : vectors.shape[1]]
    return present


def _confirm(
    outcome: npt.NDArray[np.int8],
    ids: pa.Array,
    confirmations: list[tuple[int, bool, str, str, str]],
) -> None:
    """Each confirmed attempt's outcome becomes its latest confirmation's: by when it was
    recorded, a failure after a success of the same second (the cautious outcome stands)."""
    latest: dict[str, tuple[int, bool, str, str, str]] = {}
    for confirmation in confirmations:
        seen = latest.get(confirmation[3])
        if seen is None or confirmation[:3] > seen[:3]:
            latest[confirmation[3]] = confirmation
    if not latest:
        return
    rows = pc.index_in(pa.array(list(latest), pa.string()), value_set=ids).to_pylist()
    for row, confirmation in zip(rows, latest.values(), strict=True):
        if row is not None:  # None: its attempt is not stored (a partial import)
            outcome[row] = OUTCOME_CODES.get(confirmation[4], PENDING)


def from_attempts(attempts: Sequence[CurrentAttempt]) -> Columns:
    """Columns of attempts already in memory (their current outcome as recorded)."""
    rows = [{**a.attempt.to_row(), "outcome": a.outcome, "confirms": None} for a in attempts]
    batch = pa.RecordBatch.from_pylist(rows, schema=_ATTEMPT_SCHEMA) if rows else None
    columns, _, _ = read_columns([batch] if batch is not None else [], None, 0)
    return columns


_ATTEMPT_SCHEMA = pa.schema(
    [
        (name, pa.int64() if name in ("time", "recorded_at") else pa.string())
        for name in RANKING_COLUMNS
        if name not in ("embedder", "vector")
    ]
)
