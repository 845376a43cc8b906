"""A small history whose fixes are known: three fixed findings and two that are no fix."""

from __future__ import annotations

from dataclasses import dataclass

from tests.gitrepo import BASE_TIME, GitRepo

MODULE = """\
import os
import sys


def check(value):
    if value == None:
        return 0
    unused = compute(value)
    return sys.argv


def compute(value):
    return value * 2
"""
FUNCS = """\
def keep():
    return 1


def drop():
    tmp = 1
    return 2
"""


@dataclass(frozen=True)
class Fixes:
    """The commits of ``make_history``, oldest first, and when each was made."""

    start: str
    f401: str  # removes the unused `import os`
    e711: str  # `value == None` -> `value is None`
    f841: str  # the unused assignment becomes a call
    deletes: str  # deletes gone.py (its F401 is no fix) and the function drop (its F841 neither)
    times: dict[str, int]


def make_history(repo: GitRepo) -> Fixes:
    times = {}

    def commit(message: str, files: dict[str, str], hour: int) -> str:
        sha = repo.commit(message, files, date=BASE_TIME + hour * 3600)
        times[sha] = BASE_TIME + hour * 3600
        return sha

    start = commit(
        "start", {"pkg/mod.py": MODULE, "pkg/gone.py": "import json\n", "funcs.py": FUNCS}, 1
    )
    module = MODULE.replace("import os\n", "")
    f401 = commit("drop an unused import", {"pkg/mod.py": module}, 2)
    module = module.replace("value == None", "value is None")
    e711 = commit("compare to None with is", {"pkg/mod.py": module}, 3)
    module = module.replace("unused = compute(value)", "compute(value)")
    f841 = commit("no unused name", {"pkg/mod.py": module}, 4)
    (repo.path / "pkg" / "gone.py").unlink()
    deletes = commit("delete what is not needed", {"funcs.py": FUNCS.split("\n\n\n")[0] + "\n"}, 5)
    return Fixes(start, f401, e711, f841, deletes, times)
