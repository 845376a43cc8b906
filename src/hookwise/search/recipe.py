"""What a commit's search vector is made of, and the id that says so.

An embedder's id names everything that decides its numbers
(docs/embeddings.md); for a commit's vector the text it was made from
decides them too. Two recipes exist:

- ``headline``: the embedding of the commit's headline
  (``hookwise.embed.text.search_text``). The vectors carry the embedder's
  own id (``minilm:all-MiniLM-L6-v2``). Every store made before the second
  recipe holds these, and the hashing fallback keeps them.
- ``headline + message``: the unit mean of the embeddings of the headline
  and of the whole message (``hookwise.embed.text.message_text``). The
  vectors carry the embedder's id with ``MESSAGE`` after it
  (``minilm:all-MiniLM-L6-v2+message``), so that they are never compared
  with headline vectors, and a store of headline vectors moves to them as
  it would to a new model: the new vectors are written beside the old ones,
  then the store switches (``hookwise reindex``, or the worker in its idle
  time: ``hookwise.search.vectors``).

Why the mean, for MiniLM: the headline says *what* a commit did in few
words, the message says it in more, often with the words a question uses.
Measured on bench/search_quality.py's tuning sets (MRR@10, pytest /
flask): vector search alone 0.217 / 0.293 over headlines, 0.191 / 0.285
over whole messages, 0.247 / 0.289 over their mean; fused with BM25 and
file topics, the mean lifts the hybrid to 0.313 / 0.317 where headlines
reach 0.301 / 0.260 (docs/search.md, "What generalised"). Still one vector
per commit: the cost is embedding two texts instead of one (the message is
2.5 times the headline's characters on pytest), in the background. The
hashing fallback was not measured with it and keeps its headlines.

A store's own recipe is read from the id it records (``vectors.json``); the
recipe for new vectors is ``vector_id(embedder.id)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from hookwise.embed import Embedder, embedder_name, message_text, search_text
from hookwise.embed.protocol import Vectors

#: What follows the embedder's id in the id of headline + message vectors.
MESSAGE = "+message"
#: Embedders whose commit vectors are made of headline + message (measured
#: for MiniLM only; tests add their fake embedder).
MESSAGE_EMBEDDERS = frozenset({"minilm"})


def vector_id(embedder_id: str) -> str:
    """The id new commit vectors of this embedder carry (its current recipe)."""
    if embedder_name(embedder_id) in MESSAGE_EMBEDDERS:
        return embedder_id + MESSAGE
    return embedder_id


def model_id(vector_id: str) -> str:
    """The embedder id a commit-vector id was made by (its queries are embedded by it)."""
    return vector_id.removesuffix(MESSAGE)


def with_message(vector_id: str) -> bool:
    return vector_id.endswith(MESSAGE)


def commit_vectors(embedder: Embedder, rows: pa.Table, vector_id: str) -> Vectors:
    """The vectors of the commits of ``rows`` (subject, body, paths) for ``vector_id``'s recipe."""
    subjects = [s or "" for s in rows.column("subject").to_pylist()]
    bodies = [b or "" for b in rows.column("body").to_pylist()]
    paths: Sequence[Sequence[str] | None] = rows.column("paths").to_pylist()
    heads = embedder.embed(
        [search_text(s, b, p or ()) for s, b, p in zip(subjects, bodies, paths, strict=True)]
    )
    if not with_message(vector_id):
        return heads
    messages = embedder.embed([message_text(s, b) for s, b in zip(subjects, bodies, strict=True)])
    both = heads.astype(np.float32) + messages.astype(np.float32)
    norms = np.linalg.norm(both, axis=1, keepdims=True)
    out: Vectors = np.divide(both, norms, out=np.zeros_like(both), where=norms > 0)
    return out
