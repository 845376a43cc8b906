"""``hookwise check``'s light entry: no click, no rich, no LanceDB, no numpy.

The ``hookwise`` console script sends ``hookwise check ...`` here before it
imports anything else (``hookwise.cli.run``); ``hookwise check -h`` still
goes to click, which owns the help text and the CLI reference. The budget
is 50 ms added to the checker's own time with the worker warm (DESIGN §6),
and importing click, rich and the CLI alone costs 70-110 ms, so this module
parses its few options itself and prints with ``sys.stderr``. What it
imports before the checker starts is the standard library's ``subprocess``
and ``threading`` and hookwise's stdlib-only modules; the parser, git's
answer and the spool writer are loaded while the checker runs.

Options come before the checker's command; everything from the command on
is the checker's (``--`` is optional). Without a command, the checks the
repository configures run in order (``hookwise.checks.config``), all of
them, and the exit code is the first non-zero one among theirs (0 when all
passed): a failing ruff does not hide what mypy says, and the commit is
refused for the first reason given.

Exit codes: the checker's own, unchanged; 127 for a checker that is not
installed (as a shell says it); 130 on Ctrl-C; 2 for a usage error and 1
for checks that are not configured correctly, each one line per problem.
"""

from __future__ import annotations

import os
import sys

# typing is not loaded at start-up; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from hookwise.capture.settings import Settings
    from hookwise.checks.run import CheckResult

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 127
EXIT_INTERRUPTED = 130
HELP = "see `hookwise check -h` for help"


class Request:
    """What ``hookwise check`` was asked to do."""

    __slots__ = ("command", "format_name", "if_configured", "repo")

    def __init__(
        self,
        command: Sequence[str] = (),
        format_name: str | None = None,
        repo: str = ".",
        if_configured: bool = False,
    ) -> None:
        self.command = tuple(command)
        self.format_name = format_name
        self.repo = repo
        self.if_configured = if_configured


class Usage(Exception):
    """A usage error in ``hookwise check``'s own options."""


def parse(argv: Sequence[str]) -> Request | None:
    """The request ``argv`` (after ``check``) makes; None when it asks for help.

    Raises ``Usage`` for an option hookwise does not know, or one without
    its value.
    """
    values: dict[str, str] = {}
    if_configured = False
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            index += 1
            break
        if word in ("-h", "--help"):
            return None
        if word == "--if-configured":
            if_configured = True
        elif word.split("=", 1)[0] in ("--format", "--repo"):
            name, given, value = word.partition("=")
            if not given:
                index += 1
                if index == len(argv):
                    raise Usage(f"{name} needs a value")
                value = argv[index]
            values[name] = value
        elif word.startswith("-") and word != "-":
            raise Usage(f"no such option: {word} (the checker's command starts after --)")
        else:
            break
        index += 1
    return Request(argv[index:], values.get("--format"), values.get("--repo", "."), if_configured)


def main(argv: Sequence[str]) -> int | None:
    """Run ``hookwise check`` for ``argv`` (the words after ``check``); its exit code.

    None when ``argv`` asks for help, which click gives.
    """
    try:
        request = parse(argv)
    except Usage as exc:
        return _say(f"check: {exc} ({HELP})", EXIT_USAGE)
    if request is None:
        return None
    return run(request)


def run(request: Request) -> int:
    """Carry out ``request``; the exit code (also the ``hookwise check`` click command's)."""
    from hookwise.capture.settings import Settings
    from hookwise.errors import HookwiseError, SettingsError

    if not os.path.isdir(request.repo):  # noqa: PTH112 (pathlib is not loaded yet)
        return _say(f"check: --repo: the folder {request.repo!r} does not exist ({HELP})", 2)
    try:
        settings = Settings()
    except SettingsError as exc:
        return _say(str(exc), EXIT_ERROR)
    try:
        if request.command:
            return check_one(request.command, request.repo, request.format_name, settings)
        return check_configured(request.repo, request, settings)
    except KeyboardInterrupt:
        return _say("interrupted", EXIT_INTERRUPTED)
    except HookwiseError as exc:
        from hookwise.errors import CheckConfigError, UsageError

        if isinstance(exc, CheckConfigError):
            for problem in exc.problems:
                _say(problem, EXIT_ERROR)
            return EXIT_ERROR
        code = EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
        return _say(f"--format: {exc}" if isinstance(exc, UsageError) else str(exc), code)


def check_one(command: Sequence[str], cwd: str, format_name: str | None, settings: Settings) -> int:
    """One checker run, handed to the worker, with suggestions; the checker's exit code."""
    from hookwise.checks.run import check
    from hookwise.errors import CheckerNotFoundError

    try:
        result = check(
            command,
            cwd=cwd,
            stdout=sys.stdout.buffer,
            stderr=sys.stderr.buffer,
            format_name=format_name,
        )
    except CheckerNotFoundError as exc:
        return _say(str(exc), EXIT_NOT_FOUND)
    report(result, settings)
    return result.exit_code


def check_configured(cwd: str, request: Request, settings: Settings) -> int:
    """Every configured check in order; the first non-zero exit code among them."""
    from hookwise.checks.locate import locate, may_configure_checks
    from hookwise.errors import NotARepositoryError, UsageError

    if request.format_name is not None:
        raise UsageError("a format is given per configured check, in the configuration")
    try:
        top = locate(cwd).top
    except NotARepositoryError:
        if request.if_configured:
            return 0
        raise
    if request.if_configured and not may_configure_checks(top):
        return 0  # the hook at a commit, in a repository that configures no checks
    from pathlib import Path

    from hookwise.checks.config import load_checks

    config = load_checks(Path(top))
    if not config.checks:
        if request.if_configured:
            return 0
        return _say(
            "check: no checker to run: give its command (hookwise check -- ruff check .) or "
            "configure checks under [tool.hookwise] in pyproject.toml or in .hookwise.toml "
            f"({HELP})",
            EXIT_USAGE,
        )
    first = 0
    for configured in config.checks:
        _say(f"{configured.name}: {' '.join(configured.command)}", 0)
        code = check_one(configured.command, cwd, configured.format, settings)
        first = first or code
    return first


def report(result: CheckResult, settings: Settings) -> None:
    """The one summary line, then suggestions (or the one line saying why there are none)."""
    from hookwise.errors import HookwiseError

    problem = result.problem
    if isinstance(problem, HookwiseError):
        _say(f"findings of {result.tool} were not stored: {problem}", 0)
        return
    if problem is not None:
        _say(
            f"findings of {result.tool} were not stored: unexpected error: "
            f"{type(problem).__name__}: {problem} ({crash_log(problem, settings)})",
            0,
        )
        return
    if result.stored and result.stored < result.found:
        _say(
            f"stored {result.stored:,} of {result.found:,} findings from {result.tool} "
            "(the rest would make the run too large to hand over)",
            0,
        )
    elif result.stored:
        noun = "finding" if result.stored == 1 else "findings"
        _say(f"stored {result.stored:,} {noun} from {result.tool}", 0)
    try:
        from hookwise.checks.suggest import suggest

        suggested = suggest(result, settings)
        text = ""
        if suggested.answers:
            from hookwise.checks.show import render

            text = render(suggested.answers, colour=_colour(), source=suggested.source)
    except Exception as exc:  # suggestions are best-effort (DESIGN §7)
        _say(f"no suggestions this time: {type(exc).__name__}: {exc}", 0)
        return
    if text:
        sys.stderr.write(text)
        try:  # after printing: what was shown waits for no one
            from hookwise.checks.suggest import remember_shown

            remember_shown(result, suggested)
        except Exception as exc:  # remembering is best-effort, as suggesting is
            _say(f"what was shown was not remembered: {type(exc).__name__}: {exc}", 0)
    if suggested.notice:  # why there are none, or that some were partial
        _say(suggested.notice, 0)
    sys.stderr.flush()


def crash_log(exc: BaseException, settings: Settings) -> str:
    """Append ``exc``'s traceback to the user's crash log; where it went."""
    import time
    import traceback

    path = os.path.join(settings.state_dir, "crash.log")  # noqa: PTH118
    try:
        os.makedirs(settings.state_dir, exist_ok=True)  # noqa: PTH103
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} hookwise check\n")
            fh.write("".join(traceback.format_exception(exc)) + "\n")
    except OSError as error:
        return f"its traceback could not be written to {path}: {error.strerror}"
    return f"full traceback in {path}; please report it"


def _colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return sys.stderr.isatty()
    except ValueError:
        return False


def _say(message: str, code: int) -> int:
    sys.stderr.write(f"hookwise: {message}\n")
    sys.stderr.flush()
    return code
