"""`python -m hookwise` runs the CLI; hooks start the worker this way.

``worker --detach`` leaves the caller at once: it forks before anything else is
imported (importing the CLI takes a second or more), so a hook that starts a
worker waits only for the interpreter to start.
"""

import os
import sys

if sys.argv[1:2] == ["worker"] and "--detach" in sys.argv and hasattr(os, "fork"):
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    _devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(_devnull, 0)
    os.dup2(_devnull, 1)
    os.environ["HOOKWISE_DETACHED"] = "1"

from hookwise.cli import run

if __name__ == "__main__":
    run()
