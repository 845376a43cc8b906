"""The text retriever: LanceDB's full-text index (BM25) over subject and body.

English stemming and stop words (the index's defaults): "supporting" meets
"support", and "the" matches nothing. The index is built by the worker
(``ensure_text_index``, an idle task) and by ``search_in_process`` when it
is missing; until it exists, a search finds nothing by its words.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hookwise.search.corpus import Corpus
from hookwise.store import text
from hookwise.store.db import Store, sql_string

TEXT_INDEX_COLUMNS = ("subject", "body")
# Up to this many commits passing the filters are named to LanceDB, which
# then searches only them; above it, four times the limit are asked for and
# filtered afterwards (a filter that lets most commits through rarely
# removes three in four of the best matches).
NAMED_FILTER_MAX = 2000

BoolArray = npt.NDArray[np.bool_]


def text_index_ready(store: Store) -> bool:
    return text.has_index(store, TEXT_INDEX_COLUMNS)


def ensure_text_index(store: Store) -> bool:
    """Build the full-text index of commits if it is missing; True when it built one.

    Commits added later are searched too (LanceDB scans what the index does
    not cover yet) and join the index when the worker compacts the store.
    """
    if store.count("commits") == 0:
        return False
    return text.create_index(store, TEXT_INDEX_COLUMNS)


def text_scores(
    store: Store, corpus: Corpus, query: str, mask: BoolArray | None, limit: int
) -> dict[int, float]:
    """Corpus row -> BM25 score, for the best ``limit`` commits that pass ``mask``.

    Empty while the store has no full-text index yet (the worker builds it).
    """
    want = limit
    where = None
    if mask is not None:
        allowed = int(mask.sum())
        if allowed == 0:
            return {}
        if allowed <= NAMED_FILTER_MAX:
            chosen = (corpus.shas[i] for i in np.flatnonzero(mask))
            where = f"sha IN ({', '.join(sql_string(s) for s in chosen)})"
        else:
            want = limit * 4
    if not text_index_ready(store):
        return {}
    # Subject and body weigh the same: boosting the subject (2:1, 3:1) scored
    # lower on the labelled queries, since a merge's subject is boilerplate.
    found = text.search(store, query, TEXT_INDEX_COLUMNS, where=where, limit=want)
    out: dict[int, float] = {}
    for sha, score in zip(
        found.column("sha").to_pylist(), found.column("_score").to_pylist(), strict=True
    ):
        i = corpus.row.get(sha)
        if i is not None and (mask is None or mask[i]):
            out[i] = float(score)
            if len(out) >= limit:
                break
    return out
