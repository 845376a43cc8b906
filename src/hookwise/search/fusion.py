"""How the hybrid mode weighs what the two retrievers said about a commit.

For each commit either retriever proposed (``Evidence``), ``fuse`` adds:

- the cosine as a z-score against the whole store (how unusually close this
  commit is, for this query);
- ``text / (1 + rank / decay)`` for the commit's rank in the BM25 list (a
  commit that shares no word with the query gains nothing; the best lexical
  match gains the full weight, the 20th half of it). The rank rather than
  the BM25 score itself, because BM25 scores are not comparable across
  queries: one rare shared word can dwarf a good paraphrase;
- ``files`` times the z-score of the query against the topic of the closest
  file the commit touched (``hookwise.search.topics``): a commit whose
  subject says little is still found through what its files are about.

Plain reciprocal-rank fusion throws the vector scores away too, and on
paraphrased queries it scored below vector-only; the text embedded, the
scales and the weights (``Fusion``) were chosen by measuring on the
labelled queries of ``bench/search_quality.py``, which also reports how
well the choice holds on queries it was not made on (docs/search.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hookwise.embed import embedder_name
from hookwise.search.recipe import with_message


@dataclass(frozen=True)
class Fusion:
    """hybrid = vector * z(cosine) + text / (1 + BM25 rank / decay) + files * z(file topic)."""

    vector: float
    text: float
    decay: float
    files: float = 0.0


# Measured on bench/search_quality.py (docs/search.md, "Fusion"), which
# prints the figure of these weights and the cross-validated one. For MiniLM
# every file weight from 0.25 to 1 beats none at every text weight and decay
# tried; text weights 0.25-0.75 and decays 10-40 move MRR@10 by a few
# hundredths. The hashing fallback is a lexical model too, and on paraphrases
# a worse one than BM25: its cosine only breaks ties between word matches,
# and its file topics (as lexical as its vectors) gained nothing clear.
FUSION = {"hashing": Fusion(vector=0.05, text=1.0, decay=5.0, files=0.0)}
# Vectors of headlines only (``hookwise.search.recipe``): MiniLM stores made
# before headline + message, until the worker or a reindex moves them.
DEFAULT_FUSION = Fusion(vector=1.0, text=0.5, decay=20.0, files=0.5)
TEXT_WEIGHT = DEFAULT_FUSION.text
# Vectors of headline + message (MiniLM's now). Chosen on pytest and flask
# together (bench/search_quality.py, docs/search.md "What generalised"):
# MRR@10 0.313 / 0.317 here, and every text weight 1.5-2, decay 5-20 and
# file weight 0.4-0.5 tried scores 0.286-0.313 on pytest and 0.310-0.335 on
# flask, where the headline default scored 0.301 / 0.260 and the best
# single method 0.247 / 0.293. The text weighs more than over headlines:
# the message's share of the vector already covers part of what a
# headline's cosine missed, and the BM25 rank is what still separates the
# commit that uses the question's words.
MESSAGE_FUSION = Fusion(vector=1.0, text=1.5, decay=10.0, files=0.5)


def fusion_for(vector_id: str) -> Fusion:
    """The weights for a store whose vectors carry ``vector_id``."""
    if with_message(vector_id):
        return MESSAGE_FUSION
    return FUSION.get(embedder_name(vector_id), DEFAULT_FUSION)


@dataclass(frozen=True)
class Evidence:
    """What the retrievers said about one query's candidates, before fusion.

    Arrays aligned with ``rows`` (corpus rows): the commits the vector search
    proposed, then those only the text search found.
    """

    rows: npt.NDArray[np.int64]
    vector: npt.NDArray[np.float64]  # z(cosine) against the store; 0 without a vector
    text_rank: npt.NDArray[np.int64]  # rank in the BM25 list (0 = best); -1 if not in it
    files: npt.NDArray[np.float64]  # file-topic z-score (FileTopics.scores), >= 0


def fuse(evidence: Evidence, fusion: Fusion) -> npt.NDArray[np.float64]:
    """The hybrid score of each candidate of ``evidence`` (see ``Fusion``)."""
    ranks = evidence.text_rank
    text = np.where(ranks >= 0, fusion.text / (1.0 + np.maximum(ranks, 0) / fusion.decay), 0.0)
    fused: npt.NDArray[np.float64] = (
        fusion.vector * evidence.vector + text + fusion.files * evidence.files
    )
    return fused
