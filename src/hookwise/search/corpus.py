"""The commits search covers, read once into row-aligned Arrow columns.

Every stored commit that was not rewritten (an amend or a rebase replaced
it). A row number is what the retrievers, the filters and fusion pass
between them; ``Corpus.row`` turns a sha back into one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hookwise.git.log import zone
from hookwise.search.request import Hit
from hookwise.store.db import Store

CORPUS_COLUMNS = [
    "sha",
    "parents",
    "is_merge",
    "subject",
    "author_name",
    "author_email",
    "author_time",
    "author_tz",
    "committer_time",
    "cc_type",
    "cc_category",
    "paths",
]


#: The commits search covers: every stored commit that was not rewritten.
SEARCHABLE = "rewritten IS NOT TRUE"


def searchable_commits(store: Store, columns: list[str]) -> pa.Table:
    """The commits search covers: every stored commit that was not rewritten."""
    return store.read("commits", SEARCHABLE, columns=columns)


@dataclass(frozen=True)
class Corpus:
    """The commits search covers, row-aligned arrays (read once, reused while fresh)."""

    shas: list[str]
    row: dict[str, int]
    table: pa.Table

    @classmethod
    def read(cls, store: Store) -> Corpus:
        table = searchable_commits(store, CORPUS_COLUMNS)
        shas = table.column("sha").to_pylist()
        return cls(shas, {s: i for i, s in enumerate(shas)}, table)

    def __len__(self) -> int:
        return len(self.shas)

    @property
    def committer_times(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.table.column("committer_time").fill_null(0), dtype=np.int64)

    def second_parents(self) -> npt.NDArray[np.int64]:
        """Row of each merge's second parent; -1 for other commits (and absent parents)."""
        out = np.full(len(self), -1, np.int64)
        merges = np.flatnonzero(np.asarray(self.table.column("is_merge").fill_null(False)))
        listed = self.table.column("parents").take(pa.array(merges)).to_pylist()
        for i, parents in zip(merges.tolist(), listed, strict=True):
            if parents and len(parents) >= 2:
                out[i] = self.row.get(parents[1], -1)
        return out

    def hit(self, i: int, score: float) -> Hit:
        row = {c: self.table.column(c)[i].as_py() for c in ("subject", "author_name")}
        when = int(self.table.column("author_time")[i].as_py() or 0)
        tz = int(self.table.column("author_tz")[i].as_py() or 0)
        date = datetime.fromtimestamp(when, zone(tz)).isoformat()
        return Hit(self.shas[i], row["subject"] or "", date, row["author_name"] or "", score)
