"""Click-through: results the user opened for a similar query rise, within bounds.

``hookwise show N`` after a search records a click (the normalised query,
the commit, when). A later hybrid search adds ``click_boost`` to the
commits opened after queries similar to its own.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hookwise.search.request import normalise_query
from hookwise.store import schema
from hookwise.store.db import Store

CLICK_MIN_SIMILARITY = 0.75
CLICK_MAX_BOOST = 0.5  # in z-score units of the fused score
CLICK_HALF_LIFE_DAYS = 90.0


@dataclass(frozen=True)
class Click:
    query: str
    sha: str
    time: int


def read_clicks(store: Store) -> list[Click]:
    rows = store.read("clicks", columns=["query", "sha", "time"]).to_pylist()
    return [Click(r["query"] or "", r["sha"] or "", int(r["time"] or 0)) for r in rows]


def record_click(store: Store, query: str, sha: str, *, now: float | None = None) -> None:
    """Remember that the user opened ``sha`` from a search for ``query``."""
    stamp = time.time_ns() if now is None else int(now * 1e9)
    normal = normalise_query(query)
    key = hashlib.sha1(f"{normal}\0{sha}\0{stamp}".encode()).hexdigest()
    row = pa.Table.from_pylist(
        [{"id": key, "query": normal, "sha": sha, "time": stamp // 1_000_000_000}],
        schema=schema.CLICKS,
    )
    with store.lock():
        store.add("clicks", row)


def word_overlap(a: str, b: str) -> float:
    """How alike two normalised queries are without an embedder (Jaccard of words)."""
    wa, wb = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def click_boost(
    query: str,
    clicks: Sequence[Click],
    similarity: dict[str, float],
    *,
    now: float,
) -> dict[str, float]:
    """sha -> boost for the results users opened after a similar query.

    A click counts with the similarity of its query to this one (1 for the
    same query; below CLICK_MIN_SIMILARITY not at all) and halves every
    CLICK_HALF_LIFE_DAYS. Clicks add up with diminishing returns and the
    boost never exceeds CLICK_MAX_BOOST: a clicked commit overtakes one that
    scores a little higher, never one that matches much better.
    """
    normal = normalise_query(query)
    evidence: dict[str, float] = {}
    for click in clicks:
        sim = 1.0 if click.query == normal else similarity.get(click.query, 0.0)
        if sim < CLICK_MIN_SIMILARITY:
            continue
        age_days = max(0.0, now - click.time) / 86400.0
        weight = sim * 0.5 ** (age_days / CLICK_HALF_LIFE_DAYS)
        evidence[click.sha] = evidence.get(click.sha, 0.0) + weight
    return {sha: CLICK_MAX_BOOST * (1.0 - float(np.exp(-w))) for sha, w in evidence.items()}
