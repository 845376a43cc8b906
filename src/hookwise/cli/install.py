"""Commands that set capture up: install, uninstall, init."""

from __future__ import annotations

from pathlib import Path

import click

from hookwise import __version__
from hookwise.cli.history import run_backfill
from hookwise.cli.options import repo_option
from hookwise.errors import HookwiseError
from hookwise.git.repo import discover
from hookwise.install import hooks as service


def _print_install(result: service.InstallResult) -> None:
    names = ", ".join(h.name for h in result.hooks)
    verb = "updated" if all(h.updated for h in result.hooks) else "installed"
    click.echo(f"{verb} hookwise hooks in {result.hooks_dir}: {names}")
    for hook in result.hooks:
        if hook.chained is not None:
            kept = hook.chained.relative_to(result.hooks_dir)
            click.echo(f"  {hook.name}: also runs the hook that was there (kept as {kept})")
    for warning in result.warnings:
        click.echo(f"hookwise: warning: {warning}", err=True)


@click.command()
@repo_option
@click.option(
    "--pre-commit",
    "pre_commit",
    is_flag=True,
    help="Print the .pre-commit-config.yaml snippet instead of installing native hooks.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Also install a pre-commit hook that runs the checks configured under "
    "[tool.hookwise] in pyproject.toml or in .hookwise.toml; a failing check refuses the commit.",
)
def install(repo_path: Path, pre_commit: bool, check: bool) -> None:
    """Install the capture hooks (post-commit, post-merge, post-checkout, post-rewrite).

    Hooks already there are kept and run after hookwise's, with the same
    arguments and stdin; `hookwise uninstall` puts them back exactly. With
    --check, a pre-commit hook runs `hookwise check` on the configured
    checks before each commit (skip it once with `git commit --no-verify`).
    """
    if pre_commit:
        checks = _configured_checks(repo_path) if check else ()
        click.echo(service.precommit_snippet(f"v{__version__}", checks), nl=False)
        try:
            status = service.hook_status(discover(repo_path))
        except HookwiseError:
            return  # the snippet is useful outside a repository too
        native = [h.name for h in status.hooks if h.native]
        if native:
            click.echo(
                f"hookwise: native hooks are installed too ({', '.join(native)}); "
                "run `hookwise uninstall` once pre-commit captures, or events are captured twice",
                err=True,
            )
        return
    _print_install(service.install(discover(repo_path), check=check))


@click.command()
@repo_option
def uninstall(repo_path: Path) -> None:
    """Remove hookwise's hooks and restore the hooks that were there before.

    The store (.git/hookwise) is left in place.
    """
    result = service.uninstall(discover(repo_path))
    if not result.hooks and not result.removed_hooks_dirs:
        click.echo("hookwise hooks are not installed here; nothing to do")
        return
    for hook in result.hooks:
        what = {
            "removed": "removed",
            "restored": "removed; restored the hook that was there before",
            "left": "left alone",
        }[hook.outcome]
        detail = f" ({hook.detail})" if hook.detail else ""
        click.echo(f"{hook.name}: {what}{detail}")
    for directory in result.removed_hooks_dirs:
        click.echo(f"removed {directory} (hookwise had created it)")
    click.echo(
        f"the store in {result.store_dir} was kept; delete that directory to drop it for good"
    )


@click.command()
@repo_option
@click.option(
    "--learn",
    is_flag=True,
    help="Then learn fixes from the history with ruff, in the background (`hookwise fix learn`).",
)
def init(repo_path: Path, learn: bool) -> None:
    """Install the capture hooks, then put the existing history into the store."""
    paths = discover(repo_path)
    _print_install(service.install(paths))
    run_backfill(paths)
    if learn:
        from hookwise.cli.fix import learn_in_background
        from hookwise.fixes.learn import LearnOptions

        learn_in_background(paths, LearnOptions())


def _configured_checks(repo_path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """The configured checks as (name, command), for the snippet's hookwise-check hooks."""
    from hookwise.checks.config import load_checks

    paths = discover(repo_path)
    if paths.worktree is None:
        return []
    config = load_checks(paths.worktree)
    if not config.checks:
        click.echo(
            "hookwise: --check: no checks are configured, so the snippet has no hookwise-check "
            "hook; add them under [tool.hookwise] in pyproject.toml or in .hookwise.toml "
            "(docs/checks.md)",
            err=True,
        )
    return [(c.name, c.command) for c in config.checks]


COMMANDS = (install, uninstall, init)
