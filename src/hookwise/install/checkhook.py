"""The check hook: a native ``pre-commit`` hook that runs the configured checks.

``hookwise install --check`` installs it next to the capture hooks, and
chains a ``pre-commit`` hook that was there exactly as the capture shim
chains its hooks (moved to ``hookwise-chained/pre-commit``, run after, with
the same arguments and ``$0``; ``hookwise uninstall`` puts it back). Unlike
a capture hook, its exit code is the point: a failing check refuses the
commit with the checker's own code, and the chained hook then does not run
(git would refuse the commit whatever it said). ``git commit --no-verify``
skips it, as any pre-commit hook, and so does ``HOOKWISE_DISABLE=1``.

It runs ``hookwise check --if-configured``: with no checks configured it
does nothing, so removing the configuration never blocks a commit. A
commit never waits for the worker or a model: the check spools its run and
asks a warm worker for suggestions for at most 300 ms
(``hookwise.checks.suggest``). When the Python it was installed with is
gone (hookwise uninstalled without ``hookwise uninstall``), it says so in
one line and lets the commit through.
"""

from __future__ import annotations

from pathlib import Path

from hookwise.install.shim import sh_quote_body

CHECK_HOOK = "pre-commit"
CHECK_MARKER = "# hookwise check hook (hookwise-shim 1)"
# Any version of it is ours to replace or remove (``hookwise.install.shim.is_ours``).
CHECK_MARKER_PREFIX = b"# hookwise check hook (hookwise-shim "

TEMPLATE = """\
#!/bin/sh
@MARKER@
#
# Installed by `hookwise install --check`; `hookwise uninstall` puts back exactly
# what was here before. It runs the checks configured in .hookwise.toml, or
# under [tool.hookwise] in pyproject.toml (`hookwise check --if-configured`): a
# failing check refuses the commit with the checker's exit code. Then it runs the
# pre-commit hook that was here before (if any), with the same arguments and $0.

hw_python='@HOOKWISE_PYTHON@'
hw_chained='@HOOKWISE_CHAINED@'
hw_chained_shell='@HOOKWISE_CHAINED_SHELL@'

case ${HOOKWISE_DISABLE:-0} in
0)
    if [ -x "$hw_python" ]; then
        # As the console script runs it: `-m hookwise` would add runpy's ~5 ms.
        "$hw_python" -c 'from hookwise.cli import run; run()' check --if-configured || exit $?
    else
        echo "hookwise: pre-commit: $hw_python is gone, so the configured checks did not run;" \\
            "run \\`hookwise install --check\\` again" >&2
    fi
    ;;
esac

if [ -n "$hw_chained" ] && [ -x "$hw_chained" ]; then
    if [ -n "$hw_chained_shell" ]; then
        HOOKWISE_CHAINED_HOOK=$hw_chained \\
            exec "$hw_chained_shell" -c '. "$HOOKWISE_CHAINED_HOOK"' "$0" "$@"
    fi
    exec "$hw_chained" "$@"
fi
exit 0
"""


def render_check_hook(python: str, chained: Path | None, chained_shell: str | None) -> str:
    """The check hook's text, running hookwise with ``python`` and chaining ``chained``."""
    values = {
        "@MARKER@": CHECK_MARKER,
        "@HOOKWISE_PYTHON@": sh_quote_body(python),
        "@HOOKWISE_CHAINED@": sh_quote_body(str(chained) if chained else ""),
        "@HOOKWISE_CHAINED_SHELL@": sh_quote_body(chained_shell or ""),
    }
    text = TEMPLATE
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def configured_warning(worktree: Path | None) -> str | None:
    """A warning when the repository configures no checks yet (the hook then does nothing)."""
    from hookwise.checks.config import load_checks
    from hookwise.errors import CheckConfigError

    if worktree is None:
        return None
    try:
        config = load_checks(worktree)
    except CheckConfigError as exc:
        return (
            "the configured checks are not valid, so every commit will be refused until they "
            f"are: {'; '.join(exc.problems)}"
        )
    if config.checks:
        return None
    return (
        "no checks are configured yet, so the pre-commit hook does nothing until they are: "
        "add `checks = [{ command = [...] }, ...]` under [tool.hookwise] in pyproject.toml "
        "or to .hookwise.toml (docs/checks.md)"
    )
