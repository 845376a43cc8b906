"""Nothing happens at import: no thread, no pool, no cache, no handler table."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import gc, importlib, pkgutil, threading
    import hookwise.search
    from hookwise.search.service import SearchService

    names = [m.name for m in pkgutil.iter_modules(hookwise.search.__path__, "hookwise.search.")]
    for name in names:
        importlib.import_module(name)
    from hookwise.worker import tasks

    def services():
        return sum(isinstance(o, SearchService) for o in gc.get_objects())

    print(len(names), threading.active_count(), services())
    tables = tasks.build()
    print(threading.active_count(), services(), sorted(tables.handlers))
    tables.close()
    """
)


def test_importing_search_starts_nothing_and_the_worker_table_is_built_when_asked() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True
    )
    imported, after_import = proc.stdout.splitlines()
    modules, threads, services = imported.split()
    assert int(modules) >= 14  # every module of the package was imported
    assert (int(threads), int(services)) == (1, 0)
    # Built on request; its pools start threads on the first search, not before.
    assert after_import == "1 1 ['backfill', 'click', 'insights', 'ping', 'search', 'suggest']"
