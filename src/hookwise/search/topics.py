"""File topics: what the commits that touched each file were about.

A commit's headline says what it did, often in few words of its own ("fix
interpreter compat", "tests: use ids"); the files it touched say where. A
question about who may read the cache folder is about the files that cache
commits touch, whatever this particular commit's subject says. So every
file gets a *topic*: the mean of the vectors of the commits that touched
it. Hybrid search then adds to a commit how unusually close the query is to
the topic of the closest file it touched, a z-score against all topics as
the commit's own cosine is against all commits (``FileTopics.scores``).
This is the cluster hypothesis of retrieval (a commit is likelier to answer
when its neighbourhood does), measured in docs/search.md ("File topics").

- Files are known by name, not path (``file_key``): a module and its tests
  (``cacheprovider.py``, ``test_cacheprovider.py``) share a topic, and so
  does a file before and after a move (``_pytest/x.py``, ``src/_pytest/x.py``).
- A file needs MIN_COMMITS commits to have a topic (one commit's topic is
  only its own vector again), and a file that more than MAX_SHARE of the
  commits touch (a changelog, ``setup.py``) is about nothing in particular.
- A merge carries no paths of its own (as in ``git log``): it counts as
  touching those of its second parent, the tip of the branch it brought in,
  so a pull request's merge is found through the files of its work, and
  its title (the merge's headline) joins those files' topics.

Built once per snapshot of the store from the vectors search already keeps
in memory: a few milliseconds per thousand commits, and one float32 row per
file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

MIN_COMMITS = 2
MAX_SHARE = 0.05
# Rows of the vector matrix summed at a time when building topics (bounds the
# copy of the rows gathered to 8,192 x 384 x 4 bytes = 12.6 MB).
_CHUNK = 8192

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# The same steps as ``file_key``, as Arrow (RE2) patterns.
_DIRECTORY = r"^.*/"
_EXTENSIONS = r"^(.[^.]*)\..*$"  # foo.test.js -> foo; .gitignore keeps its name
_TEST_AFFIX = r"^tests?_|_tests?$"  # test_foo.py, foo_test.go -> foo


def file_key(path: str) -> str:
    """The name a file's topic is kept under: ``src/_pytest/test_cache.py`` -> ``cache``."""
    name = re.sub(_DIRECTORY, "", path).lower()
    name = re.sub(_EXTENSIONS, r"\1", name)
    return re.sub(_TEST_AFFIX, "", name)


def _file_keys(paths: pa.ChunkedArray | pa.Array) -> tuple[IntArray, pa.Array]:
    """For every (commit, path) pair of a list column: the commit's row, and the key."""
    lists = paths.combine_chunks() if isinstance(paths, pa.ChunkedArray) else paths
    flat = pc.list_flatten(lists)
    rows = np.asarray(pc.list_parent_indices(lists), np.int64)
    keys = pc.replace_substring_regex(flat, pattern=_DIRECTORY, replacement="")
    keys = pc.utf8_lower(keys)
    keys = pc.replace_substring_regex(keys, pattern=_EXTENSIONS, replacement=r"\1")
    keys = pc.replace_substring_regex(keys, pattern=_TEST_AFFIX, replacement="")
    return rows, pc.fill_null(keys, "")


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, without a loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


@dataclass(frozen=True)
class FileTopics:
    """Topic vectors of files, and which of them each commit (corpus row) touched."""

    topics: FloatArray  # (files, dimension), unit rows
    names: tuple[str, ...]  # the file key of each topic
    indptr: IntArray  # commit row r touched files[indptr[r]:indptr[r + 1]]
    files: IntArray

    @classmethod
    def build(
        cls,
        paths: pa.ChunkedArray | pa.Array,
        second_parents: npt.NDArray[np.int64],
        matrix: npt.NDArray[np.floating[Any]],
        present: npt.NDArray[np.bool_],
    ) -> FileTopics:
        """Topics from the commits' ``paths`` (a list column, row-aligned with ``matrix``).

        ``second_parents[r]`` is the row of merge ``r``'s second parent (-1 for
        a commit that is not a merge, or whose parent is not in the corpus);
        ``present`` says which rows of ``matrix`` hold a vector.
        """
        n = len(present)
        rows, keys = _file_keys(paths)
        encoded = pc.dictionary_encode(keys)
        fids = np.asarray(encoded.indices, np.int64)
        dictionary = encoded.dictionary.to_pylist()
        nkeys = max(len(dictionary), 1)
        # One pair per commit and key (a module and its test share one), and
        # none for a name that was all affix ("test_.py").
        named = np.asarray([bool(k) for k in dictionary], np.bool_)[fids]
        pairs = np.unique(rows[named] * nkeys + fids[named])
        rows, fids = pairs // nkeys, pairs % nkeys
        rows, fids = cls._with_merges(rows, fids, second_parents, n)
        pairs = np.unique(rows * nkeys + fids)  # a merge that has paths of its own too
        rows, fids = pairs // nkeys, pairs % nkeys
        # Topics come from the commits that have a vector.
        counted = present[rows]
        counts = np.bincount(fids[counted], minlength=len(dictionary))
        most = max(MIN_COMMITS, int(MAX_SHARE * int(present.sum())))
        kept = (counts >= MIN_COMMITS) & (counts <= most)
        new_id = np.full(len(dictionary), -1, np.int64)
        new_id[kept] = np.arange(int(kept.sum()))
        keep = kept[fids]
        rows, fids = rows[keep], new_id[fids[keep]]
        topics = cls._centroids(rows[counted[keep]], fids[counted[keep]], matrix, int(kept.sum()))
        indptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
        names = tuple(k for k, keep_it in zip(dictionary, kept.tolist(), strict=True) if keep_it)
        return cls(topics, names, indptr, fids)

    @staticmethod
    def _with_merges(
        rows: IntArray, fids: IntArray, second_parents: npt.NDArray[np.int64], n: int
    ) -> tuple[IntArray, IntArray]:
        """Add to each merge the keys of its second parent (a merge has no paths itself)."""
        merges = np.flatnonzero(second_parents >= 0)
        if merges.size == 0 or rows.size == 0:
            return rows, fids
        indptr = np.searchsorted(rows, np.arange(n + 1))  # rows come sorted
        parents = second_parents[merges]
        starts = indptr[parents]
        lengths = indptr[parents + 1] - starts
        inherited = _ranges(starts.astype(np.int64), lengths.astype(np.int64))
        merge_rows = np.repeat(merges, lengths)
        return np.concatenate([rows, merge_rows]), np.concatenate([fids, fids[inherited]])

    @staticmethod
    def _centroids(
        rows: IntArray, fids: IntArray, matrix: npt.NDArray[np.floating[Any]], count: int
    ) -> FloatArray:
        """Unit mean vector of the rows of each file id (``count`` files)."""
        sums = np.zeros((count, matrix.shape[1]), np.float32)
        if rows.size:
            order = np.argsort(fids, kind="stable")
            rows, fids = rows[order], fids[order]
            for start in range(0, rows.size, _CHUNK):
                chunk_rows = rows[start : start + _CHUNK]
                chunk_fids = fids[start : start + _CHUNK]
                heads = np.flatnonzero(np.r_[True, chunk_fids[1:] != chunk_fids[:-1]])
                block = matrix[chunk_rows]  # float16 where the store is indexed
                sums[chunk_fids[heads]] += np.add.reduceat(block, heads, axis=0, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        topics: FloatArray = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        return topics

    def __len__(self) -> int:
        return len(self.names)

    def touched(self, row: int) -> list[str]:
        """The topic files commit ``row`` touched (for tests and debugging)."""
        return [self.names[f] for f in self.files[self.indptr[row] : self.indptr[row + 1]]]

    def scores(self, query_vector: FloatArray, rows: IntArray) -> FloatArray:
        """For each of ``rows``: how unusually close the query is to the closest
        topic among the files it touched (a z-score over all topics; 0 for a
        commit that touched none, and never below 0)."""
        out = np.zeros(rows.size, np.float32)
        if len(self) < 2 or rows.size == 0:
            return out
        # Not ``@``: a product this small costs 0.1 ms on one core, while
        # BLAS splits it over its threads and, when another process holds
        # the other core, waits a scheduler slice for it (measured: 8 ms).
        cosines = np.einsum("ij,j->i", self.topics, query_vector)
        spread = float(cosines.std()) or 1.0
        z = ((cosines - float(cosines.mean())) / spread).astype(np.float32)
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        some = lengths > 0
        if not some.any():
            return out
        values = z[self.files[_ranges(starts[some], lengths[some])]]
        heads = np.cumsum(lengths[some]) - lengths[some]
        out[some] = np.maximum.reduceat(values, heads)
        return np.maximum(out, 0.0)
