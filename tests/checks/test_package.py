"""checks/ is read on a commit's path: it must stay light and free of storage."""

from __future__ import annotations

import subprocess
import sys


def test_checks_imports_no_storage_and_no_terminal_library() -> None:
    code = (
        "import sys, pkgutil, importlib, hookwise.checks as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'hookwise.checks.'):\n"
        "    importlib.import_module(m.name)\n"
        "heavy = {'click', 'rich', 'lancedb', 'pyarrow', 'numpy', 'hookwise.store'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
