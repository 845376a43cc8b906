"""`python -m hookwise` runs the CLI; hooks start the worker this way.

``worker --detach`` leaves the caller at once: it detaches before anything
else is imported (importing the CLI takes a second or more), so a hook that
starts a worker waits only for the interpreter to start. The routine is
``hookwise.worker.detach``, which imports only ``os``; ``run_worker`` calls it
again and finds this process already detached.
"""

import sys

if sys.argv[1:2] == ["worker"] and "--detach" in sys.argv:
    from hookwise.worker.detach import detach

    detach()

from hookwise.cli import run

if __name__ == "__main__":
    run()
