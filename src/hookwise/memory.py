"""Keeping the long-lived worker's memory what it holds, not what it once used.

The worker reads whole columns when it (re)loads a store: the corpus, the
vectors, the file topics. Those passes allocate and free a few hundred MB
of temporaries. Arrow's default allocator (mimalloc) and glibc's malloc both
keep freed memory for reuse, so without help the worker's resident size
stays at the high-water mark of its last reload. Measured on a 100k-commit
store: 482 MB after a reload with Arrow's default pool, 387 MB with the
system allocator and a trim afterwards.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


def use_system_allocator() -> None:
    """Arrow allocates through malloc, so ``trim`` can hand its freed memory back."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None  # glibc only
    except OSError:
        return None


#: glibc's ``mallopt`` parameters: the size from which a block gets a mapping
#: of its own, and the most arenas it makes.
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: glibc's own initial threshold, kept fixed.
MMAP_THRESHOLD = 128 * 1024
#: Arenas for the worker: one per core of the 2-core development machine.
WORKER_ARENAS = 2


def limit_arenas(arenas: int = WORKER_ARENAS) -> None:
    """Keep the C heap from holding on to what LanceDB's scans freed (glibc; elsewhere
    nothing). Called before the first scan, since a thread keeps the arena it
    first used.

    - LanceDB decodes a scan on its own threads, and glibc gives each thread
      an arena of its own (up to eight per core), where freed pages stay
      resident: at most ``arenas`` arenas.
    - glibc raises its mmap threshold (up to 32 MB) each time a mapped block
      is freed, after which the scan's decode buffers of a few MB come from
      the heap and fragment it: the threshold is fixed, so they keep their
      own mappings and go back to the system when freed.

    Three scans of 100k fix attempts' vectors (77 MB each as stored) left a
    process 170 MB bigger with glibc's defaults, 45-60 MB with two arenas,
    38 MB with the fixed threshold too (after a trim each time); building
    the suggest index at 100k peaked at 664 MB, 542 MB with both.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, arenas)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def trim() -> None:
    """Return freed heap memory to the system (glibc's ``malloc_trim``; elsewhere nothing)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
