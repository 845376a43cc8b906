"""The ``hookwise`` command: a thin click layer over the capability packages.

The console script's ``run`` looks at the command line first:
``hookwise check ...`` (but not ``hookwise check -h``) goes to the light
entry ``hookwise.checks.entry``, which imports neither click nor rich nor
LanceDB, because a check runs at every commit inside a 50 ms budget and
click, rich and the CLI alone cost 70-110 ms. ``hookwise search ...`` goes
to ``hookwise.cli.search_entry`` for the same reason (150 ms from start to
output with a warm worker), which hands back to click whenever the worker
cannot answer or the arguments need click. Everything else goes to the
click group in ``hookwise.cli.app`` (``main``, also importable from here).
So this module imports nothing but ``sys`` itself.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hookwise.cli.app import main as main


def run() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    if argv[:1] == ["check"]:
        from hookwise.checks.entry import main as check

        code = check(argv[1:])
        if code is not None:
            sys.exit(code)
    elif argv[:1] == ["search"]:
        from hookwise.cli.search_entry import main as search

        code = search(argv[1:])
        if code is not None:
            sys.exit(code)
    from hookwise.cli.app import run as run_click

    run_click()


def __getattr__(name: str) -> object:
    """``main``, the click group, loaded only when asked for (tests, the docs generator)."""
    if name == "main":
        from hookwise.cli.app import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
