"""The real checkers, run on small files with known problems.

Each ``Case`` writes its files into a directory, runs one tool there and
keeps what it printed. ``tests/checks/samples/`` holds one capture per case
(made by ``python -m tests.checks.tools``, with the tool's version), so the
parsers' tests run on machines without the tools; ``test_samples.py`` runs
the tools again where they are installed and compares.

Python tools run from this interpreter (``python -m ruff``); pyright and
eslint are npm packages, found on PATH (``.ci/run`` installs them outside
the repository and puts their ``.bin`` on PATH). Under ``CI=true`` a
missing tool fails its test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from hookwise.checks.parsers.base import CheckerOutput

SAMPLES = Path(__file__).parent / "samples"
#: Captures are stored as if the tools had run here, so absolute paths in them
#: (pyright, eslint) do not name the machine that made them.
SAMPLE_ROOT = "/sample"

PYTHON_FILES = {
    "pkg/__init__.py": "",
    "pkg/mod.py": """\
import os
import sys


def greet(name: str) -> int:
    unused = 1
    return "hello " + name


def  spaced( x: int ) -> int:
    return undefined_name + x


def call() -> None:
    greet(1)
    print("a very long line that goes on and on and on and on and on and on and on and on and on")
""",
}

PYTEST_FILES = {
    "pytest.ini": "[pytest]\n",
    "tests/test_sample.py": """\
import pytest


def parse(text):
    return int(text)


def test_passes():
    assert parse("1") == 1


def test_assertion():
    assert parse("2") == 3


def test_raises_inside_code():
    parse("two")


class TestGroup:
    @pytest.mark.parametrize("value", ["4", "x"])
    def test_param(self, value):
        assert parse(value) == 4


@pytest.fixture
def broken():
    raise RuntimeError("fixture failed")


def test_setup_error(broken):
    pass
""",
}

JS_FILES = {
    "eslint.config.mjs": """\
export default [
  {
    files: ["**/*.js"],
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": "error",
      eqeqeq: "warn",
    },
  },
];
""",
    "web/app.js": """\
var count = 1;
let total = 2;

function add(a, b) {
  const unused = 3;
  if (a == b) {
    return a;
  }
  return a + b + total;
}

add(count, 2);
""",
}

PY = [sys.executable, "-m"]
PYTEST = [*PY, "pytest", "-p", "no:cacheprovider", "tests"]


@dataclass(frozen=True)
class Case:
    name: str
    program: str  # a Python module, or an npm program found on PATH
    arguments: tuple[str, ...]
    files: dict[str, str]
    npm: bool = False

    def executable(self) -> list[str] | None:
        if self.npm:
            found = shutil.which(self.program)
            return None if found is None else [found]
        found = subprocess.run([*PY, self.program, "--version"], capture_output=True, check=False)
        return None if found.returncode != 0 else [*PY, self.program]

    def version(self, executable: list[str]) -> str:
        shown = subprocess.run([*executable, "--version"], capture_output=True, text=True)
        return (shown.stdout or shown.stderr).strip().splitlines()[0]

    def command(self) -> list[str]:
        """The command as a user types it: what the registry reads."""
        return [self.program, *self.arguments]

    def run(self, directory: Path) -> dict[str, object]:
        executable = self.executable()
        if executable is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{self.program} is not installed; .ci/run installs it")
            pytest.skip(f"{self.program} is not installed here")
        for path, text in self.files.items():
            (directory / path).parent.mkdir(parents=True, exist_ok=True)
            (directory / path).write_text(text)
        home = directory.parent / f"{directory.name}-home"
        home.mkdir(exist_ok=True)
        # pytest prints its short summary in full, not cut to the terminal's
        # width, when CI or BUILD_NUMBER is set: the samples are captured
        # without them, so a run under CI prints what the sample holds.
        inherited = {k: v for k, v in os.environ.items() if k not in ("CI", "BUILD_NUMBER")}
        environment = {
            **inherited,
            "HOME": str(home),
            "PYLINTHOME": str(home),
            "NO_COLOR": "1",
            "COLUMNS": "80",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        ran = subprocess.run(
            [*executable, *self.arguments],
            cwd=directory,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        root = str(directory)
        return {
            "version": self.version(executable),
            "command": self.command(),
            "exit_code": ran.returncode,
            "stdout": ran.stdout.replace(root, SAMPLE_ROOT),
            "stderr": ran.stderr.replace(root, SAMPLE_ROOT),
        }


CASES = {
    case.name: case
    for case in (
        Case(
            "ruff-json",
            "ruff",
            ("check", "--isolated", "--no-cache", "--output-format", "json", "pkg"),
            PYTHON_FILES,
        ),
        Case(
            "ruff-concise",
            "ruff",
            ("check", "--isolated", "--no-cache", "--output-format", "concise", "pkg"),
            PYTHON_FILES,
        ),
        Case("ruff-full", "ruff", ("check", "--isolated", "--no-cache", "pkg"), PYTHON_FILES),
        Case(
            "mypy-text",
            "mypy",
            ("--no-incremental", "--cache-dir", os.devnull, "pkg"),
            PYTHON_FILES,
        ),
        Case(
            "mypy-columns",
            "mypy",
            ("--no-incremental", "--cache-dir", os.devnull, "--show-column-numbers", "pkg"),
            PYTHON_FILES,
        ),
        Case(
            "mypy-json",
            "mypy",
            ("--no-incremental", "--cache-dir", os.devnull, "-O", "json", "pkg"),
            PYTHON_FILES,
        ),
        Case("flake8", "flake8", ("--isolated", "pkg"), PYTHON_FILES),
        Case("pycodestyle", "pycodestyle", ("pkg",), PYTHON_FILES),
        Case(
            "pylint", "pylint", ("--rcfile", os.devnull, "--persistent", "n", "pkg"), PYTHON_FILES
        ),
        Case("pyright-json", "pyright", ("--outputjson", "pkg"), PYTHON_FILES, npm=True),
        Case("pyright-text", "pyright", ("pkg",), PYTHON_FILES, npm=True),
        Case("pytest-long", "pytest", ("-p", "no:cacheprovider", "tests"), PYTEST_FILES),
        Case(
            "pytest-short",
            "pytest",
            ("-p", "no:cacheprovider", "-q", "--tb=short", "tests"),
            PYTEST_FILES,
        ),
        Case(
            "pytest-no-traceback",
            "pytest",
            ("-p", "no:cacheprovider", "-q", "--tb=no", "tests"),
            PYTEST_FILES,
        ),
        Case("eslint-json", "eslint", ("-f", "json", "web"), JS_FILES, npm=True),
    )
}


def sample(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((SAMPLES / f"{name}.json").read_text())
    return loaded


def output_of(capture: dict[str, object]) -> CheckerOutput:
    return CheckerOutput(
        stdout=str(capture["stdout"]),
        stderr=str(capture["stderr"]),
        exit_code=int(str(capture["exit_code"])),
        cwd=Path(SAMPLE_ROOT),
    )


def main() -> None:
    """Capture every case whose tool is installed into ``samples/``."""
    import tempfile

    SAMPLES.mkdir(exist_ok=True)
    for case in CASES.values():
        if case.executable() is None:
            print(f"{case.name}: {case.program} is not installed, sample kept")
            continue
        with tempfile.TemporaryDirectory() as scratch:
            directory = Path(scratch) / "sample"
            directory.mkdir()
            capture = case.run(directory)
        text = json.dumps(capture, indent=1, ensure_ascii=False) + "\n"
        (SAMPLES / f"{case.name}.json").write_text(text)
        print(f"{case.name}: {capture['version']}, exit {capture['exit_code']}")


if __name__ == "__main__":
    main()
