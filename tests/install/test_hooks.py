"""Installing the native hooks: real git commands fire them, and what they spool
is read back with ``hookwise.capture.events.parse``. Hooks only spool here
(HOOKWISE_NO_WORKER), so every test is deterministic."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookwise.capture import events, registry
from hookwise.capture.locations import RepoPaths
from hookwise.cli import main
from hookwise.errors import InstallError
from hookwise.git.repo import discover
from hookwise.install.hooks import (
    MARKER,
    chained_path,
    hook_status,
    install,
    precommit_snippet,
    uninstall,
)
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


@pytest.fixture(autouse=True)
def spool_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")


def spooled(paths: RepoPaths, hook: str | None = None) -> list[events.Event]:
    found = [
        events.parse(f.path.name, f.path.read_text(), f.time_ns)
        for f in events.list_spool(paths.spool_dir)
    ]
    return [e for e in found if hook is None or e.hook == hook]


def only(paths: RepoPaths, hook: str) -> events.Event:
    found = spooled(paths, hook)
    assert len(found) == 1, found
    return found[0]


def clear_spool(paths: RepoPaths) -> None:
    for f in events.list_spool(paths.spool_dir):
        f.path.unlink()


def write_hook(path: Path, text: str, mode: int = 0o755) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def run_git(repo: GitRepo, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """git as the user runs it, keeping its exit code and both streams."""
    return subprocess.run(
        ["git", *args], cwd=cwd or repo.path, env=repo.env(), capture_output=True, text=True
    )


# --- installing -------------------------------------------------------------


def test_install_writes_four_executable_shims_that_name_this_python(repo: GitRepo) -> None:
    paths = discover(repo.path)
    result = install(paths)
    assert [h.name for h in result.hooks] == list(events.HOOKS)
    for name in events.HOOKS:
        hook = paths.hooks_dir / name
        text = hook.read_text()
        assert MARKER in text
        assert f"hw_python='{sys.executable}'" in text
        assert "@HOOKWISE" not in text
        assert hook.stat().st_mode & 0o111 == 0o111
    assert paths.hookwise_dir in registry.registered()
    assert (paths.hookwise_dir / "install.json").is_file()
    assert not result.created_hooks_dir


def test_commit_spools_an_event_with_head_and_branch(repo: GitRepo) -> None:
    paths = discover(repo.path)
    install(paths)
    sha = repo.commit("first")
    event = only(paths, "post-commit")
    assert (event.args, event.head, event.ref) == ((), sha, "refs/heads/main")
    assert event.git_dir == str(paths.git_dir)


def test_checkout_spools_git_s_three_arguments(repo: GitRepo) -> None:
    paths = discover(repo.path)
    base = repo.commit("base")
    install(paths)
    repo.git("checkout", "-q", "-b", "topic")
    topic = repo.commit("topic")
    clear_spool(paths)
    repo.git("checkout", "-q", "main")
    event = only(paths, "post-checkout")
    assert event.args == (topic, base, "1")
    assert (event.head, event.ref) == (base, "refs/heads/main")
    assert event.reflog.endswith("checkout: moving from topic to main")


def test_merges_spool_post_merge_with_the_squash_flag(repo: GitRepo) -> None:
    paths = discover(repo.path)
    repo.commit("base", {"a": "a\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic", {"b": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"c": "c\n"})
    install(paths)
    repo.git("merge", "-q", "--no-edit", "topic")
    event = only(paths, "post-merge")
    assert event.args == ("0",)
    assert event.head == repo.head()
    assert event.env["GIT_REFLOG_ACTION"] == "merge topic"
    clear_spool(paths)
    repo.git("reset", "-q", "--hard", "HEAD^")
    repo.git("merge", "-q", "--squash", "topic")
    assert only(paths, "post-merge").args == ("1",)


def test_amend_and_rebase_spool_old_to_new_pairs(repo: GitRepo) -> None:
    paths = discover(repo.path)
    install(paths)
    old = repo.commit("typo")
    repo.git("commit", "-q", "--amend", "-m", "fixed")
    event = only(paths, "post-rewrite")
    assert event.args == ("amend",)
    assert event.stdin == (f"{old} {repo.head()}",)

    repo.git("checkout", "-q", "-b", "topic")
    picked = [repo.commit("one"), repo.commit("two")]
    repo.git("checkout", "-q", "main")
    repo.commit("moved on", {"m": "m\n"})
    repo.git("checkout", "-q", "topic")
    clear_spool(paths)
    repo.git("rebase", "-q", "main")
    event = only(paths, "post-rewrite")
    assert event.args == ("rebase",)
    rebased = [repo.rev("HEAD~1"), repo.rev("HEAD")]
    assert [tuple(line.split()[:2]) for line in event.stdin] == list(
        zip(picked, rebased, strict=True)
    )


def test_hooks_dir_from_core_hooks_path_is_used_and_created(repo: GitRepo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared-hooks"
    repo.git("config", "core.hooksPath", str(elsewhere))
    paths = discover(repo.path)
    result = install(paths)
    assert result.hooks_dir == elsewhere and result.created_hooks_dir
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted(events.HOOKS)
    assert not (paths.git_dir / "hooks" / "post-commit").exists()
    repo.commit("first")
    assert only(paths, "post-commit").head == repo.head()

    uninstall(paths)
    assert not elsewhere.exists()  # hookwise created it, and it is empty again


def test_linked_worktree_spools_into_the_common_dir_with_its_own_git_dir(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.commit("base")
    paths = discover(repo.path)
    install(paths)
    worktree = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "wt", str(worktree))
    clear_spool(paths)
    (worktree / "new.txt").write_text("new\n")
    repo.git("add", "new.txt", cwd=worktree)
    repo.git("commit", "-q", "-m", "in the worktree", cwd=worktree)
    event = only(paths, "post-commit")
    assert event.git_dir == str(paths.common_dir / "worktrees" / "wt")
    assert event.ref == "refs/heads/wt"
    assert event.head == repo.rev("wt")
    assert not (paths.common_dir / "worktrees" / "wt" / "hookwise").exists()


def test_a_path_with_quotes_and_spaces_survives_sh_quoting(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "it's a repo")
    paths = discover(repo.path)
    calls = tmp_path / "python-calls"
    # A stand-in for Python at a path that needs quoting: the shim starts it
    # to wake the worker, so it records how it was called.
    python = tmp_path / "py'thon env" / "python"
    write_hook(python, f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    write_hook(paths.hooks_dir / "post-commit", f"#!/bin/sh\necho chained >> '{tmp_path}/ran'\n")
    install(paths, python=str(python))
    env = {**repo.env(), "HOOKWISE_NO_WORKER": "0"}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=repo.path, env=env)
    assert (tmp_path / "ran").read_text() == "chained\n"
    assert only(paths, "post-commit").head == repo.head()
    for _ in range(100):  # the worker is started in the background
        if calls.exists():
            break
        subprocess.run(["sleep", "0.05"])
    assert calls.read_text() == f"-m hookwise worker --detach --register {paths.hookwise_dir}\n"
    # no worker.pid is the normal state after the worker's idle exit, not an error to log
    assert not (paths.hookwise_dir / "log").read_text()


# --- chaining the hooks that were there -------------------------------------

RECORDING_HOOK = """#!/bin/sh
# a hand-written hook: records how git called it, then fails on purpose
{{ echo "$0"; echo "$@"; cat; }} > "{out}/$(basename "$0").called"
exit {code}
"""


def test_existing_hooks_run_with_the_same_args_stdin_and_exit_code(
    repo: GitRepo, tmp_path: Path
) -> None:
    paths = discover(repo.path)
    base = repo.commit("base")
    for name in ("post-rewrite", "post-checkout"):
        write_hook(paths.hooks_dir / name, RECORDING_HOOK.format(out=tmp_path, code=3))
    install(paths)
    old = repo.commit("typo")
    repo.git("commit", "-q", "--amend", "-m", "fixed")
    called = (tmp_path / "post-rewrite.called").read_text().splitlines()
    # $0 is the hook's own path (sourced, not run as hookwise-chained/post-rewrite)
    assert called == [".git/hooks/post-rewrite", "amend", f"{old} {repo.head()}"]
    assert only(paths, "post-rewrite").stdin == (f"{old} {repo.head()}",)

    # post-checkout's exit status becomes git checkout's (git reports any failure as 1)
    proc = run_git(repo, "checkout", "-q", base)
    assert proc.returncode == 1
    called = (tmp_path / "post-checkout.called").read_text().splitlines()
    assert called[1] == f"{repo.rev('main')} {base} 1"
    assert only(paths, "post-checkout").head == base
    # ... and the shim itself exits with the chained hook's exact code
    shim = subprocess.run(
        [str(paths.hooks_dir / "post-checkout"), base, base, "0"], cwd=repo.path, env=repo.env()
    )
    assert shim.returncode == 3


HUSKY_H = """#!/usr/bin/env sh
[ "$HUSKY" = "2" ] && set -x
n=$(basename "$0")
s=$(dirname "$(dirname "$0")")/$n

[ ! -f "$s" ] && exit 0

[ "${HUSKY-}" = "0" ] && exit 0

export PATH="node_modules/.bin:$PATH"
sh -e "$s" "$@"
c=$?

[ $c != 0 ] && echo "husky - $n script failed (code $c)"
[ $c = 127 ] && echo "husky - command not found in PATH=$PATH"
exit $c
"""
HUSKY_HOOK = '#!/usr/bin/env sh\n. "$(dirname "$0")/h"'


def make_husky_v9(repo: GitRepo) -> Path:
    """What `npx husky init` (v9) leaves: core.hooksPath=.husky/_, git-ignored."""
    underscore = repo.path / ".husky" / "_"
    write_hook(underscore / "h", HUSKY_H, 0o644)
    (underscore / ".gitignore").write_text("*")
    for name in events.HOOKS:
        write_hook(underscore / name, HUSKY_HOOK)
    repo.git("config", "core.hooksPath", ".husky/_")
    return underscore


def test_husky_v9_user_scripts_still_run(repo: GitRepo, tmp_path: Path) -> None:
    underscore = make_husky_v9(repo)
    # the user's script: husky's h runs it with `sh -e`, so it needs no shebang or mode
    repo.commit("husky", {".husky/post-commit": f'echo "husky ran with $#" > "{tmp_path}/husky"\n'})
    paths = discover(repo.path)
    assert paths.hooks_dir == underscore
    result = install(paths)
    assert not result.warnings  # .husky/_ is git-ignored
    assert (chained_path(underscore, "post-commit")).read_text() == HUSKY_HOOK
    repo.commit("with husky")
    # husky's h finds .husky/post-commit from $0: a renamed $0 would skip it silently
    assert (tmp_path / "husky").read_text() == "husky ran with 0\n"
    assert only(paths, "post-commit").head == repo.head()
    assert repo.git("status", "--porcelain") == ""


def test_husky_rewriting_its_hooks_then_reinstall_keeps_one_chained_copy(
    repo: GitRepo,
) -> None:
    underscore = make_husky_v9(repo)
    paths = discover(repo.path)
    install(paths)
    for name in events.HOOKS:  # `npm install` runs husky again, which rewrites them all
        write_hook(underscore / name, HUSKY_HOOK)
    assert not hook_status(paths).hooks[0].native
    install(paths)
    assert hook_status(paths).hooks[0].native
    assert (chained_path(underscore, "post-commit")).read_text() == HUSKY_HOOK


def test_reinstall_refuses_to_drop_a_different_chained_hook(repo: GitRepo) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-commit", "#!/bin/sh\necho first\n")
    install(paths)
    write_hook(paths.hooks_dir / "post-commit", "#!/bin/sh\necho second\n")
    with pytest.raises(InstallError, match="move one of them away"):
        install(paths)
    chained = chained_path(paths.hooks_dir, "post-commit")
    assert chained.read_text() == "#!/bin/sh\necho first\n"


LEFTHOOK_SCRIPT = """#!/bin/sh

if [ "$LEFTHOOK_VERBOSE" = "1" -o "$LEFTHOOK_VERBOSE" = "true" ]; then
  set -x
fi

if [ "$LEFTHOOK" = "0" ]; then
  exit 0
fi

call_lefthook()
{
  if test -n "$LEFTHOOK_BIN"
  then
    "$LEFTHOOK_BIN" "$@"
  else
    lefthook "$@"
  fi
}

call_lefthook run "post-checkout" "$@"
"""


def test_lefthook_script_is_chained(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = discover(repo.path)
    base = repo.commit("base")
    lefthook = tmp_path / "lefthook"
    write_hook(lefthook, f'#!/bin/sh\necho "$@" > "{tmp_path}/lefthook.args"\n')
    monkeypatch.setenv("LEFTHOOK_BIN", str(lefthook))
    write_hook(paths.hooks_dir / "post-checkout", LEFTHOOK_SCRIPT)
    install(paths)
    repo.git("checkout", "-q", "-b", "topic")
    assert (tmp_path / "lefthook.args").read_text() == f"run post-checkout {base} {base} 1\n"
    assert only(paths, "post-checkout").ref == "refs/heads/topic"


def test_a_binary_or_interpreted_hook_is_executed_not_sourced(
    repo: GitRepo, tmp_path: Path
) -> None:
    paths = discover(repo.path)
    write_hook(
        paths.hooks_dir / "post-commit",
        f"#!{sys.executable}\nimport sys, pathlib\n"
        f"pathlib.Path({str(tmp_path / 'py')!r}).write_text(sys.argv[0])\n",
    )
    install(paths)
    repo.commit("first")
    # run from where it is kept, under its own name (overcommit reads the hook type from it)
    assert (tmp_path / "py").read_text() == str(chained_path(paths.hooks_dir, "post-commit"))


def test_hookwise_disable_skips_capture_but_runs_the_chained_hook(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-commit", f"#!/bin/sh\ntouch '{tmp_path}/ran'\n")
    install(paths)
    monkeypatch.setenv("HOOKWISE_DISABLE", "1")
    repo.commit("first")
    assert spooled(paths) == []
    assert (tmp_path / "ran").exists()


# --- idempotence and uninstall ----------------------------------------------


def snapshot(directory: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every file's mode and bytes (a symlink's target), below ``directory``."""
    out: dict[str, tuple[int, bytes | str]] = {}
    for path in sorted(directory.rglob("*")):
        st = path.lstat()
        if path.is_symlink():
            body: bytes | str = str(path.readlink())
        else:
            body = "<dir>" if path.is_dir() else path.read_bytes()
        out[str(path.relative_to(directory))] = (st.st_mode, body)
    return out


def test_install_twice_is_idempotent(repo: GitRepo, tmp_path: Path) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-merge", f"#!/bin/sh\necho merged >> '{tmp_path}/log'\n")
    first = install(paths)
    before = snapshot(paths.hooks_dir)
    manifest = (paths.hookwise_dir / "install.json").read_text()
    second = install(paths)
    assert snapshot(paths.hooks_dir) == before
    assert (paths.hookwise_dir / "install.json").read_text() == manifest
    assert all(h.updated for h in second.hooks) and not any(h.updated for h in first.hooks)
    assert [h.chained for h in second.hooks] == [h.chained for h in first.hooks]


def test_uninstall_restores_the_original_hooks_byte_for_byte(repo: GitRepo, tmp_path: Path) -> None:
    paths = discover(repo.path)
    target = tmp_path / "shared-post-checkout"
    write_hook(target, "#!/bin/sh\nexit 0\n")
    write_hook(paths.hooks_dir / "post-commit", "#!/bin/sh\r\n# odd bytes: \xe9\t\x01\n", 0o750)
    (paths.hooks_dir / "post-checkout").symlink_to(target)
    write_hook(paths.hooks_dir / "post-merge", "#!/bin/sh\n# not executable\n", 0o640)
    before = snapshot(paths.hooks_dir)
    install(paths)
    repo.commit("first")
    result = uninstall(paths)
    assert snapshot(paths.hooks_dir) == before
    outcomes = {h.name: h.outcome for h in result.hooks}
    assert outcomes == {
        "post-commit": "restored",
        "post-merge": "restored",
        "post-checkout": "restored",
        "post-rewrite": "removed",
    }
    assert result.store_dir == paths.hookwise_dir and paths.spool_dir.is_dir()  # store kept
    assert paths.hookwise_dir not in registry.registered()
    assert not (paths.hookwise_dir / "install.json").exists()


def test_uninstall_leaves_a_hook_replaced_after_install_alone(repo: GitRepo) -> None:
    paths = discover(repo.path)
    install(paths)
    write_hook(paths.hooks_dir / "post-commit", "#!/bin/sh\necho mine now\n")
    result = uninstall(paths)
    left = [h for h in result.hooks if h.outcome == "left"]
    assert [h.name for h in left] == ["post-commit"]
    assert "no longer hookwise's" in left[0].detail
    assert (paths.hooks_dir / "post-commit").read_text() == "#!/bin/sh\necho mine now\n"
    assert not (paths.hooks_dir / "post-merge").exists()


def test_uninstall_works_without_the_manifest(repo: GitRepo) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-commit", "#!/bin/sh\necho original\n")
    install(paths)
    (paths.hookwise_dir / "install.json").unlink()
    uninstall(paths)
    assert (paths.hooks_dir / "post-commit").read_text() == "#!/bin/sh\necho original\n"
    assert not (chained_path(paths.hooks_dir, "post-commit")).exists()


# --- failures ---------------------------------------------------------------


def test_an_unusable_store_dir_never_fails_git_and_says_so_in_one_line(
    repo: GitRepo, tmp_path: Path
) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-commit", f"#!/bin/sh\ntouch '{tmp_path}/ran'\n")
    install(paths)
    # Tests run as root, where permissions do not stop writes: a file where
    # the directory should be does.
    for path in sorted(paths.hookwise_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    paths.hookwise_dir.rmdir()
    paths.hookwise_dir.write_text("not a directory\n")
    repo.write("a.txt", "a\n")
    repo.git("add", "a.txt")
    proc = run_git(repo, "commit", "-q", "-m", "first")
    assert proc.returncode == 0
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("hookwise: post-commit: cannot write to ")
    assert (tmp_path / "ran").exists()  # the chained hook still ran
    assert proc.stdout == ""


def test_an_unusable_spool_still_hands_post_rewrite_stdin_to_the_chained_hook(
    repo: GitRepo, tmp_path: Path
) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-rewrite", RECORDING_HOOK.format(out=tmp_path, code=0))
    install(paths)
    if paths.spool_dir.is_dir():
        paths.spool_dir.rmdir()
    paths.spool_dir.write_text("in the way\n")
    old = repo.commit("typo")
    proc = run_git(repo, "commit", "-q", "--amend", "-m", "fixed")
    assert (proc.returncode, proc.stderr) == (0, "")
    called = (tmp_path / "post-rewrite.called").read_text().splitlines()
    assert called[1:] == ["amend", f"{old} {repo.head()}"]
    assert "could not record the event" in (paths.hookwise_dir / "log").read_text()


def test_committed_hooks_in_core_hooks_path_are_not_replaced(repo: GitRepo) -> None:
    # husky v5-8 style: core.hooksPath=.husky, whose hooks are committed
    repo.commit("hooks", {".husky/post-commit": "#!/bin/sh\necho team hook\n"})
    repo.git("config", "core.hooksPath", ".husky")
    paths = discover(repo.path)
    with pytest.raises(InstallError, match=r"\.husky/post-commit is committed"):
        install(paths)
    assert (repo.path / ".husky" / "post-commit").read_text() == "#!/bin/sh\necho team hook\n"
    assert repo.git("status", "--porcelain") == ""


def test_hooks_inside_the_worktree_that_git_would_pick_up_are_warned_about(
    repo: GitRepo,
) -> None:
    repo.git("config", "core.hooksPath", "githooks")
    result = install(discover(repo.path))
    assert len(result.warnings) == 1
    assert "add them to .gitignore" in result.warnings[0]


def test_hooks_dir_that_is_a_file_is_refused(repo: GitRepo, tmp_path: Path) -> None:
    (tmp_path / "hooks-file").write_text("")
    repo.git("config", "core.hooksPath", str(tmp_path / "hooks-file"))
    with pytest.raises(InstallError, match="is not a directory"):
        install(discover(repo.path))


# --- status and the pre-commit framework ------------------------------------


def test_hook_status_reports_native_and_chained_hooks(repo: GitRepo) -> None:
    paths = discover(repo.path)
    assert not hook_status(paths).capturing
    write_hook(paths.hooks_dir / "post-commit", "#!/bin/sh\n")
    install(paths)
    status = hook_status(paths).to_dict()
    assert status["capturing"] is True
    assert status["native"] == dict.fromkeys(events.HOOKS, True)
    assert status["chained"]["post-commit"] == str(chained_path(paths.hooks_dir, "post-commit"))
    assert status["chained"]["post-merge"] is None
    assert status["pre_commit"] == dict.fromkeys(events.HOOKS, False)
    json.dumps(status)


LOCAL_NOOP_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: noop
        name: noop
        entry: "true"
        language: system
        always_run: true
        pass_filenames: false
        stages: [post-commit]
"""


def pre_commit(repo: GitRepo, *args: str) -> None:
    subprocess.run(
        [str(PRE_COMMIT), *args], cwd=repo.path, env=repo.env(), check=True, capture_output=True
    )


def test_pre_commit_migration_mode_still_captures_and_uninstalls(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    repo.commit("config", {".pre-commit-config.yaml": LOCAL_NOOP_CONFIG})
    paths = discover(repo.path)
    install(paths)
    # pre-commit renames a hook it does not know to post-commit.legacy and runs it from there
    pre_commit(repo, "install", "--hook-type", "post-commit")
    assert (paths.hooks_dir / "post-commit.legacy").read_text().count(MARKER) == 1
    assert hook_status(paths).hooks[0].native
    repo.commit("second")
    assert only(paths, "post-commit").head == repo.head()
    install(paths)  # refreshes the shim where it is, without chaining pre-commit to itself
    assert not (chained_path(paths.hooks_dir, "post-commit")).exists()
    uninstall(paths)
    assert not (paths.hooks_dir / "post-commit.legacy").exists()
    assert "pre-commit" in (paths.hooks_dir / "post-commit").read_text()


def test_hook_status_sees_the_pre_commit_framework_capturing(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    config = repo.path / ".pre-commit-config.yaml"
    config.write_text(precommit_snippet("v0.1.0"))
    pre_commit(repo, "install", "--hook-type", "post-commit", "--hook-type", "post-merge")
    paths = discover(repo.path)
    status = hook_status(paths)
    assert {h.name: h.pre_commit for h in status.hooks} == {
        "post-commit": True,
        "post-merge": True,
        "post-checkout": False,
        "post-rewrite": False,
    }
    assert status.pre_commit_config == config
    result = install(paths)  # chains pre-commit's scripts, and warns about capturing twice
    assert any("captured twice" in w for w in result.warnings)
    assert hook_status(paths).hooks[0].pre_commit  # seen through the chained script


# --- the commands -----------------------------------------------------------


def test_cli_install_and_uninstall(repo: GitRepo) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["install", "--repo", str(repo.path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("installed hookwise hooks in ")
    result = runner.invoke(main, ["uninstall", "--repo", str(repo.path)])
    assert result.exit_code == 0, result.output
    assert "post-commit: removed" in result.output
    assert "was kept" in result.output
    result = runner.invoke(main, ["uninstall", "--repo", str(repo.path)])
    assert result.output == "hookwise hooks are not installed here; nothing to do\n"


def test_cli_install_pre_commit_prints_the_snippet(repo: GitRepo) -> None:
    result = CliRunner().invoke(main, ["install", "--pre-commit", "--repo", str(repo.path)])
    assert result.exit_code == 0
    assert "id: hookwise-capture" in result.stdout
    assert not (discover(repo.path).hooks_dir / "post-commit").exists()


def test_cli_install_pre_commit_check_adds_the_configured_checks(repo: GitRepo) -> None:
    repo.write(".hookwise.toml", 'checks = [{ name = "lint", command = ["ruff", "check", "."] }]\n')
    args = ["install", "--pre-commit", "--check", "--repo", str(repo.path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "id: hookwise-check" in result.stdout
    assert 'args: ["ruff", "check", "."]' in result.stdout
    assert not (discover(repo.path).hooks_dir / "pre-commit").exists()


def test_cli_install_pre_commit_check_without_checks_says_so(repo: GitRepo) -> None:
    args = ["install", "--pre-commit", "--check", "--repo", str(repo.path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "hookwise-check" not in result.stdout
    assert "no checks are configured" in result.stderr


@pytest.mark.parametrize("command", ["install", "uninstall", "init"])
def test_cli_not_a_repository_is_one_line_and_exit_1(tmp_path: Path, command: str) -> None:
    hookwise = Path(sys.executable).with_name("hookwise")
    proc = subprocess.run(
        [str(hookwise), command, "--repo", str(tmp_path / "notrepo")],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "is not inside a git repository" in proc.stderr


def test_cli_an_unusable_store_dir_is_one_line_and_exit_1(repo: GitRepo) -> None:
    paths = discover(repo.path)
    paths.hookwise_dir.write_text("a file where the directory should be\n")
    result = CliRunner().invoke(main, ["install", "--repo", str(repo.path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"hookwise: {paths.hookwise_dir} is not a directory; move it away, then run "
        "`hookwise install` again\n"
    )
    assert not (paths.hooks_dir / "post-commit").exists()


def test_cli_init_installs_and_backfills(repo: GitRepo) -> None:
    for i in range(3):
        repo.commit(f"commit {i}")
    result = CliRunner().invoke(main, ["init", "--repo", str(repo.path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("installed hookwise hooks")
    assert lines[-1].startswith("backfilled 3 commits (0 merges, 0 with conflicts)")
    assert hook_status(discover(repo.path)).capturing


def test_mode_of_the_shim_is_executable_for_everyone(repo: GitRepo) -> None:
    paths = discover(repo.path)
    install(paths)
    assert stat.S_IMODE((paths.hooks_dir / "post-commit").stat().st_mode) == 0o755


# --- the shim under every shell ---------------------------------------------------

# The shells a hook may run under: /bin/sh is dash on Debian and Ubuntu,
# busybox sh on Alpine, bash elsewhere. CI installs all of them.
SHELLS = {
    "sh": ["sh"],
    "dash": ["dash"],
    "bash": ["bash", "--posix"],
    "busybox": ["busybox", "sh"],
}


def shell(name: str) -> list[str]:
    argv = SHELLS[name]
    if shutil.which(argv[0]) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{argv[0]} is missing; .ci/run installs it")
        pytest.skip(f"{argv[0]} is not installed here")
    return argv


def spool_in_the_way(paths: RepoPaths) -> None:
    """A file where the spool directory should be (tests run as root: modes stop nothing)."""
    if paths.spool_dir.is_dir():
        for f in paths.spool_dir.iterdir():
            f.unlink()
        paths.spool_dir.rmdir()
    paths.spool_dir.write_text("in the way\n")


@pytest.mark.parametrize("name", sorted(SHELLS))
def test_an_unwritable_spool_never_fails_the_hook_under_any_shell(
    repo: GitRepo, tmp_path: Path, name: str
) -> None:
    argv = shell(name)
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-commit", f"#!/bin/sh\ntouch '{tmp_path}/ran'\n")
    install(paths)
    repo.commit("first")
    (tmp_path / "ran").unlink()
    spool_in_the_way(paths)
    proc = subprocess.run(
        [*argv, str(paths.hooks_dir / "post-commit")],
        cwd=repo.path,
        env=repo.env(),
        capture_output=True,
        text=True,
    )
    # Under dash a failed redirection on the special builtin `:` used to end the
    # shell: exit 2, and the chained hook never ran.
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert (tmp_path / "ran").exists()
    log = (paths.hookwise_dir / "log").read_text()
    assert "post-commit: could not record the event" in log


def test_a_branch_switch_with_an_unwritable_spool_succeeds(repo: GitRepo, tmp_path: Path) -> None:
    paths = discover(repo.path)
    write_hook(paths.hooks_dir / "post-checkout", f"#!/bin/sh\ntouch '{tmp_path}/ran'\n")
    install(paths)
    repo.commit("first")
    spool_in_the_way(paths)
    proc = run_git(repo, "switch", "-c", "b")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ran").exists()
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "b"


@pytest.mark.parametrize("name", sorted(SHELLS))
def test_events_are_complete_under_their_final_name_under_any_shell(
    repo: GitRepo, name: str
) -> None:
    argv = shell(name)
    paths = discover(repo.path)
    install(paths)
    repo.commit("first")
    clear_spool(paths)
    for _ in range(3):
        proc = subprocess.run(
            [*argv, str(paths.hooks_dir / "post-commit")],
            cwd=repo.path,
            env=repo.env(),
            capture_output=True,
            text=True,
        )
        assert (proc.returncode, proc.stderr) == (0, "")
    names = sorted(p.name for p in paths.spool_dir.iterdir())
    # Three events from three processes, no temporary file left behind.
    assert len(names) == 3 and not [n for n in names if n.startswith(".")], names
    assert all(e.hook == "post-commit" for e in spooled(paths))


def test_a_reader_never_sees_an_event_half_written(repo: GitRepo) -> None:
    """Hooks write under a hidden name and rename: whatever a reader lists parses."""
    paths = discover(repo.path)
    install(paths)
    repo.commit("first")
    clear_spool(paths)
    hook = str(paths.hooks_dir / "post-commit")
    writers = [
        subprocess.Popen(
            ["sh", "-c", f"for i in 1 2 3 4 5 6 7 8 9 10; do sh '{hook}'; done"],
            cwd=repo.path,
            env=repo.env(),
        )
        for _ in range(4)
    ]
    seen: set[str] = set()
    while any(w.poll() is None for w in writers):
        for f in events.list_spool(paths.spool_dir):
            try:
                text = f.path.read_text()
            except FileNotFoundError:
                continue
            events.parse(f.path.name, text, f.time_ns)  # never incomplete
            seen.add(f.path.name)
    assert all(w.wait() == 0 for w in writers)
    assert len(spooled(paths)) == 40


def fill(path: Path) -> None:
    """Write zeros to ``path`` until its file system has no room left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_is_named_as_such(repo: GitRepo, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "full"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        paths = discover(repo.path)
        install(paths)
        repo.commit("first")
        # The store lives on a file system with no room left.
        store_on_full = mount / "hookwise"
        shutil.copytree(paths.hookwise_dir, store_on_full, symlinks=True)
        shutil.rmtree(paths.hookwise_dir)
        paths.hookwise_dir.symlink_to(store_on_full)
        fill(mount / "filler")
        (store_on_full / "log").unlink(missing_ok=True)
        proc = run_git(repo, "commit", "-q", "--allow-empty", "-m", "second")
        assert proc.returncode == 0
        lines = proc.stderr.splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("hookwise: post-commit: the disk holding ")
        assert lines[0].endswith("is full; nothing captured")
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_installing_into_a_bare_repository_says_the_hooks_never_fire(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.commit("first")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    result = install(discover(bare))
    assert any("bare repository" in w and "never runs these hooks" in w for w in result.warnings)
    assert all(h.path.exists() for h in result.hooks)  # installed all the same
