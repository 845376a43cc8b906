"""``hookwise-capture``, the pre-commit framework's entry: the same events as the
native shim, from pre-commit's environment variables, and never a failed hook.

The last test runs the real pre-commit framework against a snapshot of this
working tree (pre-commit builds a virtualenv and pip-installs hookwise into
it once per session), so ``.pre-commit-hooks.yaml`` itself is exercised."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.capture import entry as capture_entry
from hookwise.capture import events, locations, registry
from hookwise.capture.locations import RepoPaths
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT_VARS = (
    "PRE_COMMIT",
    "PRE_COMMIT_HOOK_TYPE",
    "PRE_COMMIT_HOOK_STAGE",
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_CHECKOUT_TYPE",
    "PRE_COMMIT_IS_SQUASH_MERGE",
    "PRE_COMMIT_REWRITE_COMMAND",
    "GIT_REFLOG_ACTION",
)


@pytest.fixture(autouse=True)
def spool_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    for name in PRE_COMMIT_VARS:
        monkeypatch.delenv(name, raising=False)


def spooled(paths: RepoPaths) -> list[events.Event]:
    return [
        events.parse(f.path.name, f.path.read_text(), f.time_ns)
        for f in events.list_spool(paths.spool_dir)
    ]


def drain(paths: RepoPaths) -> dict[str, events.Event]:
    """The spooled events by hook (one each), and an empty spool."""
    found = spooled(paths)
    for f in events.list_spool(paths.spool_dir):
        f.path.unlink()
    by_hook = {e.hook: e for e in found}
    assert len(by_hook) == len(found), found
    return by_hook


def take(paths: RepoPaths, hook: str) -> events.Event:
    """The one spooled event, of ``hook``; the spool is emptied."""
    found = drain(paths)
    assert list(found) == [hook], found
    return found[hook]


def comparable(event: events.Event) -> events.Event:
    return dataclasses.replace(event, id="", time_ns=0)


def run_entry(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *argv: str
) -> int:
    monkeypatch.chdir(repo.path)  # pre-commit runs hooks at the worktree's root
    with monkeypatch.context() as m:
        m.setenv("PRE_COMMIT", "1")
        for name, value in env.items():
            m.setenv(name, value)
        return capture_entry.main(list(argv))


def test_a_warm_capture_imports_nothing_but_its_settings(repo: GitRepo, state_dir: Path) -> None:
    """The 40 ms budget leaves no room for imports (see the module's docstring).

    Besides the entry and its settings, only the two ``os``-only modules that
    hold the one implementation of what it shares with the rest of hookwise:
    ``spool`` (an event's text and file) and ``pidfile`` (is the worker running).
    """
    paths = discover(repo.path)
    repo.commit("first")
    registry.register(paths.hookwise_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    code = (
        "import os, sys\n"
        # this process plays the running worker
        "open(os.path.join(os.environ['HOOKWISE_STATE_DIR'], 'worker.pid'), 'w')"
        ".write(str(os.getpid()))\n"
        "before = set(sys.modules)\n"
        "from hookwise.capture.entry import main\n"
        "assert main([]) == 0\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    env = {**os.environ, "PRE_COMMIT": "1", "HOOKWISE_NO_WORKER": "0"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=repo.path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(
        sorted(
            [
                "__future__",
                "hookwise",
                "hookwise.capture",
                "hookwise.capture.settings",
                "hookwise.capture.entry",
                "hookwise.capture.spool",
                "hookwise.capture.pidfile",
            ]
        )
    )
    assert proc.stderr == ""
    assert len(spooled(paths)) == 1


def test_never_imports_heavy_modules_even_on_the_cold_path(repo: GitRepo) -> None:
    repo.commit("first")
    code = (
        "import sys\n"
        "from hookwise.capture.entry import main\n"
        "main(['pre-push'])\n"  # an error, so log.py is imported too
        "main([])\n"  # registers the store
        "heavy = {'lancedb', 'pygit2', 'click', 'rich', 'pyarrow', 'numpy', 'torch',"
        " 'sentence_transformers', 'hookwise.cli', 'hookwise.store', 'hookwise.worker',"
        " 'hookwise.search', 'hookwise.history', 'hookwise.git', 'hookwise.embed'}\n"
        "loaded = [m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)]\n"
        "print(sorted(loaded))\n"
    )
    env = {**os.environ, "PRE_COMMIT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo.path, env=env, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"


def test_the_entry_keeps_no_copies_of_what_it_shares() -> None:
    """One implementation each: the spool format, the state directory, the pid check."""
    from hookwise.capture import pidfile, settings, spool, wake

    assert (events.render, events.write, events.HOOKS) == (spool.render, spool.write, spool.HOOKS)
    assert events.FORMAT_VERSION == spool.FORMAT_VERSION
    assert wake.worker_pid is pidfile.worker_pid
    assert locations.state_dir() == Path(settings.state_dir())
    for name, origin in [("render", spool), ("write", spool), ("HOOKS", spool)]:
        assert getattr(capture_entry, name) is getattr(origin, name), name
    assert capture_entry.worker_pid is pidfile.worker_pid
    # The entry reads the state directory through its settings, nowhere else.
    assert not hasattr(capture_entry, "state_dir")


def test_a_bad_setting_is_logged_and_the_event_captured(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = discover(repo.path)
    repo.commit("first")
    monkeypatch.setenv("HOOKWISE_WORKER_IDLE", "banana")
    monkeypatch.setenv("HOOKWISE_EMBED_RUNTIME", "onnx")
    assert run_entry(repo, monkeypatch, {}) == 0
    assert capsys.readouterr() == ("", "")
    assert len(spooled(paths)) == 1
    log = paths.log_path.read_text().splitlines()
    assert len(log) == 2
    assert "post-commit: HOOKWISE_WORKER_IDLE must be a number of seconds" in log[0]
    assert "not 'banana'" in log[0]
    assert "post-commit: HOOKWISE_EMBED_RUNTIME must be one of auto, numpy, torch" in log[1]


def test_same_events_as_the_native_shim(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each git operation fires the native hook; then the entry runs with the
    variables pre-commit would set for it, and the two events must agree."""
    paths = discover(repo.path)
    repo.commit("base", {"a": "a\n"})
    install(paths)

    sha = repo.commit("second", {"b": "b\n"})
    native = take(paths, "post-commit")
    assert run_entry(repo, monkeypatch, {}) == 0
    assert comparable(take(paths, "post-commit")) == comparable(native)
    assert native.head == sha

    repo.git("checkout", "-q", "-b", "topic")
    native = take(paths, "post-checkout")
    prev, new, flag = native.args
    variables = {
        "PRE_COMMIT_FROM_REF": prev,
        "PRE_COMMIT_TO_REF": new,
        "PRE_COMMIT_CHECKOUT_TYPE": flag,
    }
    assert run_entry(repo, monkeypatch, variables) == 0
    assert comparable(take(paths, "post-checkout")) == comparable(native)
    assert native.reflog.endswith("checkout: moving from main to topic")

    repo.commit("topic", {"c": "c\n"})
    repo.git("checkout", "-q", "main")
    drain(paths)
    repo.git("merge", "-q", "--no-edit", "--no-ff", "topic")
    native = take(paths, "post-merge")
    variables = {"PRE_COMMIT_IS_SQUASH_MERGE": "0", "GIT_REFLOG_ACTION": "merge topic"}
    assert run_entry(repo, monkeypatch, variables) == 0
    assert comparable(take(paths, "post-merge")) == comparable(native)

    repo.git("commit", "-q", "--amend", "-m", "amended merge")
    native = drain(paths)["post-rewrite"]
    assert run_entry(repo, monkeypatch, {"PRE_COMMIT_REWRITE_COMMAND": "amend"}) == 0
    entry = take(paths, "post-rewrite")
    # pre-commit gives hooks no stdin: the pairs come from the reflog instead,
    # and the event says so.
    assert native.stdin and not entry.stdin
    assert entry.env == {**native.env, "PRE_COMMIT_REWRITE_COMMAND": "amend"}
    assert comparable(entry) == dataclasses.replace(comparable(native), stdin=(), env=entry.env)


def test_called_from_another_hook_manager_with_git_s_arguments(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = discover(repo.path)
    old = repo.commit("first")
    monkeypatch.chdir(repo.path)
    pair = f"{old} {old[::-1]}"
    monkeypatch.setattr("sys.stdin", io.StringIO(pair + "\n"))
    assert capture_entry.main(["post-rewrite", "rebase"]) == 0
    event = take(paths, "post-rewrite")
    assert (event.args, event.stdin) == (("rebase",), (pair,))
    assert capsys.readouterr() == ("", "")


def test_registers_the_store_and_wakes_the_worker(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = discover(repo.path)
    repo.commit("first")
    started: list[Path | None] = []
    monkeypatch.setattr(
        "hookwise.capture.wake.start_worker",
        lambda register=None, python=None: started.append(register),
    )
    assert run_entry(repo, monkeypatch, {}) == 0
    assert paths.hookwise_dir in registry.registered()
    assert started == []  # HOOKWISE_NO_WORKER
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "0")
    assert run_entry(repo, monkeypatch, {}) == 0
    assert started == [paths.hookwise_dir]


def test_hookwise_disable(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = discover(repo.path)
    repo.commit("first")
    monkeypatch.setenv("HOOKWISE_DISABLE", "1")
    assert run_entry(repo, monkeypatch, {}) == 0
    assert not paths.hookwise_dir.exists()


def test_unwritable_store_dir_exits_0_with_one_line(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = discover(repo.path)
    repo.commit("first")
    paths.hookwise_dir.write_text("a file where the directory should be\n")
    assert run_entry(repo, monkeypatch, {}) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"hookwise: post-commit: cannot write to {paths.hookwise_dir} ")
    assert err.endswith("; nothing captured\n")


def test_outside_a_repository_exits_0_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert capture_entry.main([]) == 0
    err = capsys.readouterr().err
    assert err == "hookwise: post-commit: not in a git repository; nothing captured\n"


def test_an_unknown_hook_is_logged_not_printed(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = discover(repo.path)
    repo.commit("first")
    monkeypatch.chdir(repo.path)
    assert capture_entry.main(["pre-push", "origin"]) == 0
    assert capsys.readouterr() == ("", "")
    assert "'pre-push' is not a hook hookwise captures" in paths.log_path.read_text()
    assert spooled(paths) == []


def test_console_script_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert capture_entry.main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: hookwise-capture")


# --- the real pre-commit framework ------------------------------------------

# What pre-commit needs to build hookwise from a repository.
SNAPSHOT_PATHS = ("src", "hooks", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def snapshot_of_this_checkout(destination: Path) -> str:
    """A git repository holding this working tree as it is now (uncommitted
    files included: pre-commit clones, and a clone would see only HEAD)."""
    destination.mkdir()
    for name in SNAPSHOT_PATHS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, destination / name)
    snap = GitRepo.init(destination)
    return snap.commit("snapshot of the working tree", {})


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A PRE_COMMIT_HOME shared by the session, and the hookwise repo and rev to use.

    The first `pre-commit install-hooks` builds the hook's virtualenv (pip
    installs hookwise and its dependencies: ~20 s); later tests reuse it.
    """
    base = tmp_path_factory.mktemp("pre-commit")
    snapshot = base / "hookwise-snapshot"
    # Session fixtures run outside the per-test isolation: keep git off the real home.
    with pytest.MonkeyPatch.context() as m:
        m.setenv("HOME", str(base))
        m.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        m.setenv("GIT_CONFIG_NOSYSTEM", "1")
        rev = snapshot_of_this_checkout(snapshot)
    return base / "home", str(snapshot), rev


@pytest.mark.slow
def test_the_pre_commit_framework_captures_like_the_native_hooks(
    repo: GitRepo,
    pre_commit_home: tuple[Path, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, hookwise_repo, rev = pre_commit_home
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home))
    # virtualenv and pip keep caches under the (unusable) home directory otherwise
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    config = (
        "repos:\n"
        f"  - repo: {hookwise_repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: hookwise-capture\n"
    )
    repo.commit("config", {".pre-commit-config.yaml": config})
    pre_commit = Path(sys.executable).with_name("pre-commit")
    proc = subprocess.run(
        [str(pre_commit), "install", "--install-hooks"]
        + [arg for hook in events.HOOKS for arg in ("--hook-type", hook)],
        cwd=repo.path,
        env=repo.env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    paths = discover(repo.path)

    sha = repo.commit("captured", {"a": "a\n"})
    event = take(paths, "post-commit")
    assert (event.head, event.ref, event.args) == (sha, "refs/heads/main", ())

    repo.git("checkout", "-q", "-b", "topic")
    event = take(paths, "post-checkout")
    assert event.args == (sha, sha, "1") and event.ref == "refs/heads/topic"

    repo.commit("topic", {"b": "b\n"})
    take(paths, "post-commit")
    repo.git("commit", "-q", "--amend", "-m", "topic, amended")
    found = drain(paths)
    assert sorted(found) == ["post-commit", "post-rewrite"]
    event = found["post-rewrite"]
    assert event.args == ("amend",) and event.env["PRE_COMMIT_REWRITE_COMMAND"] == "amend"
    assert event.head == repo.head()

    repo.git("checkout", "-q", "main")
    take(paths, "post-checkout")
    repo.git("merge", "-q", "--no-edit", "--no-ff", "topic")
    event = take(paths, "post-merge")
    assert event.args == ("0",) and event.head == repo.head()
    assert paths.hookwise_dir in registry.registered()
    assert not paths.log_path.exists() or paths.log_path.read_text() == ""
