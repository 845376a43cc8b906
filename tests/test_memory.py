"""The worker's allocator settings, in a process of their own (they are process-wide)."""

from __future__ import annotations

import subprocess
import sys


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
