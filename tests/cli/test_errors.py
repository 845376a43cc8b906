"""The exit-code contract (DESIGN §5): 0 ok, 1 handled error, 2 usage, 130 Ctrl-C.

For a git hook the exit code is the API, so every command that takes a value
from the user has a row here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hookwise.cli import main
from hookwise.cli.errors import CRASH_LOG
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from tests.gitrepo import GitRepo


@pytest.fixture
def backfilled(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "hashing")
    repo.commit("feat: one", {"a.txt": "a\n"})
    backfill(discover(repo.path))
    return repo


def hookwise(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="hookwise")


# (arguments, what hookwise's one line names); each exits 2 with `hookwise: ...`.
HOOKWISE_USAGE_ERRORS = [
    (["export", "nonsense"], "unknown table 'nonsense'"),
    (["metrics", "--since", "banana"], "--since: the period 'banana'"),
    (["metrics", "--from", "2024-02-30"], "--from: the start date '2024-02-30' is not a date"),
    (["metrics", "--to", "soon"], "--to: the end date 'soon' is not a date"),
    (["metrics", "--since", "0d"], "--since: the period must cover at least one day"),
    (["metrics", "--since", "7d", "--to", "2024-03-01"], "either --since or --from/--to"),
    (["metrics", "--session-gap", "long"], "--session-gap: the session gap 'long'"),
    (["report", "--since", "later"], "--since: the period 'later'"),
    (["report", "--from", "2024-03-07", "--to", "2024-03-01"], "swap them"),
    (["search", "x", "--since", "banana"], "--since: the period 'banana'"),
    (["search", "x", "--type", "fix!"], "'fix!' is not a commit type"),
    (["search", "  "], "the search query is empty"),
    (["show", "nope"], "'nope' is neither a result number"),
    (["show", "7"], "no search to take result 7 from"),
    (["reindex", "--embedder", "bert"], "unknown embedder 'bert'"),
    (["worker"], "the worker starts by itself"),
]

# Values click itself refuses: exit 2 with one line, as hookwise's own, that
# names the command and where its help is (click's own text was four lines).
CLICK_USAGE_ERRORS = [
    (["health", "--stale-days", "0"], "health: Invalid value for '--stale-days'"),
    (["search", "x", "--mode", "fuzzy"], "search: Invalid value for '--mode'"),
    (["search", "x", "--limit", "0"], "search: Invalid value for '-n' / '--limit'"),
    (["export", "commits", "--format", "csv"], "export: Invalid value for '--format'"),
    (["gc", "--keep", "-1"], "gc: Invalid value for '--keep'"),
    (["worker", "--idle", "soon"], "worker: Invalid value for '--idle'"),
    (["backfill", "--no-such-option"], "backfill: No such option '--no-such-option'"),
    (["export"], "export: Missing argument 'TABLE'"),
    (["nonsense"], "No such command 'nonsense'"),
]

# A path that is not a repository is a handled error (1), not a usage error.
EVERY_COMMAND_WITH_A_REPOSITORY = [
    ["backfill"],
    ["init"],
    ["install"],
    ["uninstall"],
    ["status"],
    ["gc"],
    ["export", "commits"],
    ["show", "HEAD"],
    ["metrics"],
    ["health"],
    ["report"],
    ["search", "x"],
    ["reindex"],
    ["worker", "--once"],
]


@pytest.mark.parametrize(
    ("args", "says"), HOOKWISE_USAGE_ERRORS, ids=[" ".join(a) for a, _ in HOOKWISE_USAGE_ERRORS]
)
def test_a_bad_value_is_a_usage_error(backfilled: GitRepo, args: list[str], says: str) -> None:
    result = hookwise(*args, "--repo", str(backfilled.path))
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("hookwise: ") and says in line


@pytest.mark.parametrize(
    ("args", "says"), CLICK_USAGE_ERRORS, ids=[" ".join(a) for a, _ in CLICK_USAGE_ERRORS]
)
def test_clicks_own_usage_errors_are_one_line_and_2(
    backfilled: GitRepo, args: list[str], says: str
) -> None:
    result = hookwise(*args, "--repo", str(backfilled.path))
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("hookwise: ") and says in line, line
    assert line.endswith("-h` for help)"), line


@pytest.mark.parametrize("args", EVERY_COMMAND_WITH_A_REPOSITORY, ids=" ".join)
def test_not_a_repository_is_a_handled_error(tmp_path: Path, args: list[str]) -> None:
    result = hookwise(*args, "--repo", str(tmp_path))
    assert result.exit_code == 1, result.output
    assert result.stderr == f"hookwise: {tmp_path} is not inside a git repository; " + (
        "run hookwise from a repository or name one as the repository to use\n"
    )


def test_an_unexpected_error_names_the_crash_log(
    backfilled: GitRepo, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_status(paths: object) -> None:
        raise RuntimeError("the status could not be read")

    monkeypatch.setattr("hookwise.history.status.status", broken_status)
    result = hookwise("status", "--repo", str(backfilled.path))
    assert result.exit_code == 1
    log = state_dir / CRASH_LOG
    assert result.stderr == (
        "hookwise: unexpected error: RuntimeError: the status could not be read "
        f"(full traceback in {log}; please report it)\n"
    )
    traceback = log.read_text()
    assert "Traceback (most recent call last)" in traceback
    assert "in broken_status" in traceback
    assert "RuntimeError: the status could not be read" in traceback


def test_a_crash_log_that_cannot_be_written_still_gives_one_line(
    backfilled: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_status(paths: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("hookwise.history.status.status", broken_status)
    monkeypatch.setenv("HOOKWISE_STATE_DIR", "/dev/null/state")  # below a file: unwritable
    result = hookwise("status", "--repo", str(backfilled.path))
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("hookwise: unexpected error: RuntimeError: boom (its traceback")
    assert "could not be written to /dev/null/state/crash.log" in line


def test_ctrl_c_inside_a_command_exits_130(
    backfilled: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("hookwise.history.backfill.backfill", interrupted)
    result = hookwise("backfill", "--repo", str(backfilled.path))
    assert result.exit_code == 130
    assert result.stderr == "hookwise: interrupted\n"
