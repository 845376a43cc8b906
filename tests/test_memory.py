"""The worker's allocator settings, in a process of their own (they are process-wide)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_system_allocator_and_trim() -> None:
    code = (
        "import pyarrow as pa\n"
        "from hookwise import memory\n"
        "before = pa.default_memory_pool().backend_name\n"
        "memory.use_system_allocator()\n"
        "data = pa.array(range(1_000_000))\n"
        "used = pa.system_memory_pool().bytes_allocated()\n"
        "del data\n"
        "memory.trim()\n"
        "print(before, pa.default_memory_pool().backend_name, used >= 8_000_000,\n"
        "      memory._libc() is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, counted, has_trim = out.stdout.split()
    assert before != "system"
    assert after == "system"
    assert counted == "True"  # Arrow's buffers now come from malloc, which trim can return
    assert has_trim == ("True" if sys.platform == "linux" else has_trim)


ARENAS = """
import ctypes, sys, tempfile, threading
from hookwise import memory
if sys.argv[1] == "limit":
    memory.limit_arenas(2)
libc = memory._libc()
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.fopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
start = threading.Barrier(8)
def churn():
    start.wait()
    for _ in range(20_000):
        libc.free(libc.malloc(4096))
threads = [threading.Thread(target=churn) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
with tempfile.NamedTemporaryFile("r") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(out.read().count("<heap nr="))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's arenas")
def test_the_worker_keeps_few_malloc_arenas() -> None:
    def heaps(mode: str) -> int:
        run = subprocess.run([sys.executable, "-c", ARENAS, mode], capture_output=True, text=True)
        return int(run.stdout.strip())

    # Eight threads freeing and allocating at once make glibc add arenas (9
    # here) when they meet; on a machine too busy for them to meet, there is
    # nothing to limit.
    if heaps("default") <= 2:
        pytest.skip("the threads never contended for an arena")
    assert heaps("limit") <= 2  # whatever the threads do
