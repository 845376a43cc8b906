"""Which embedder a store uses, and the embedders a process has built for stores.

Every store has one *active* embedder, recorded in ``<store>/vectors.json``
as its registry name and id the first time the store's commits are embedded
(``default_embedder_name()`` then: MiniLM with the neural extra, else the
hashing fallback, whose IDF is fitted on the repository's own commits and
saved next to the store). From then on the store keeps that embedder, even
when another one becomes the default: its vectors would not be comparable.
Only ``hookwise reindex`` moves a store to another embedder.

Search only ever reads the vectors whose id equals the active id, and
refuses to embed a query with an embedder whose id differs (a changed
model, a lost IDF file): vectors of different embedders are never compared.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from hookwise.capture.jsonfile import write_object
from hookwise.capture.locations import RepoPaths
from hookwise.embed import Embedder, get_embedder
from hookwise.errors import StoreError
from hookwise.search.recipe import model_id

STATE_FILE = "vectors.json"


@dataclass(frozen=True)
class VectorState:
    """The store's active embedder: its registry name and the id its vectors carry
    (the embedder's id, and what the vectors were made of: ``hookwise.search.recipe``)."""

    name: str
    embedder_id: str

    @property
    def model_id(self) -> str:
        """The embedder's own id: what queries, findings and fix attempts carry
        (``embedder_id`` also says what commit vectors are made of)."""
        return model_id(self.embedder_id)


def state_path(paths: RepoPaths) -> Path:
    return paths.store_dir / STATE_FILE


def read_state(paths: RepoPaths) -> VectorState | None:
    path = state_path(paths)
    try:
        data = json.loads(path.read_text())
        return VectorState(str(data["name"]), str(data["embedder"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"{path} is damaged; run `hookwise reindex` to embed the commits again"
        ) from exc


def write_state(paths: RepoPaths, state: VectorState) -> None:
    write_object(state_path(paths), {"name": state.name, "embedder": state.embedder_id})


def state_mtime(paths: RepoPaths) -> float:
    try:
        return state_path(paths).stat().st_mtime
    except FileNotFoundError:
        return 0.0


def mismatch_message(state: VectorState, found: str) -> str:
    return (
        f"this store's vectors were made by {state.embedder_id}, but that embedder now "
        f"gives {found} (a different model or fitted state), and vectors of different "
        "embedders are never compared; run `hookwise reindex` to embed the history again"
    )


class Embedders:
    """The embedder of each store, built once and kept while its state file is unchanged.

    Building one can be expensive (MiniLM loads on first use; the hashing
    IDF is read from disk), so the worker keeps one ``Embedders`` for its
    whole life and shares it between embedding and searching; a command
    builds its own and drops it. A reindex elsewhere rewrites the state
    file, and the next ``get`` builds the embedder again.
    """

    def __init__(self) -> None:
        self._built: dict[tuple[Path, str], tuple[float, Embedder]] = {}
        self._lock = threading.Lock()

    def get(self, paths: RepoPaths, name: str) -> Embedder:
        key = (paths.store_dir, name)
        mtime = state_mtime(paths)
        with self._lock:
            cached = self._built.get(key)
            if cached is not None and cached[0] == mtime:
                return cached[1]
            embedder = get_embedder(name, state_dir=paths.store_dir)
            self._built[key] = (mtime, embedder)
            return embedder


def store_embedder(
    paths: RepoPaths, embedders: Embedders | None = None
) -> tuple[Embedder, VectorState]:
    """The store's active embedder, checked against the id its vectors carry.

    Built afresh unless ``embedders`` keeps it. Raises StoreError when the
    store has no embedder yet or when the embedder now gives another id, and
    ExtraMissingError when its extra is missing. A store whose vectors were
    made by another recipe of the same embedder (headlines only, from before
    ``hookwise.search.recipe``) is fine: its queries are embedded the same way.
    """
    state = read_state(paths)
    if state is None:
        raise StoreError(
            "no commit has been embedded in this store yet; the worker does it in the "
            "background (or run `hookwise reindex`)"
        )
    embedder = (embedders or Embedders()).get(paths, state.name)
    if embedder.id != model_id(state.embedder_id):
        raise StoreError(mismatch_message(state, embedder.id))
    return embedder, state
