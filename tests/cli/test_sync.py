"""`hookwise sync` as a user runs it, against a real `hookwise serve` on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.store.db import Store
from hookwise.sync.wire import SummaryBatch
from tests.cli.console import hookwise, one_line
from tests.gitrepo import GitRepo
from tests.insights.test_metrics import week_of_work
from tests.server.conftest import free_port
from tests.sync.aggregator import Aggregator, running_aggregator
from tests.sync.history import add_checks_and_fixes

pytest.importorskip("fastapi", reason="needs the server extra")


@pytest.fixture(scope="module")
def aggregator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aggregator]:
    with running_aggregator(tmp_path_factory.mktemp("aggregator")) as running:
        yield running


def week(repo: GitRepo, name: str) -> GitRepo:
    """The known week, pushed as ``name`` (its origin's last path component)."""
    week_of_work(repo)
    repo.git("remote", "add", "origin", f"git@example.com:team/{name}.git")
    paths = discover(repo.path)
    backfill(paths)
    add_checks_and_fixes(Store.open(paths), date(2024, 3, 7))
    return repo


def test_sync_pushes_the_days(repo: GitRepo, aggregator: Aggregator) -> None:
    week(repo, "synced")
    done = hookwise(
        "sync",
        "--no-pull",
        cwd=repo.path,
        HOOKWISE_SYNC_URL=aggregator.url,
        HOOKWISE_SYNC_TOKEN=aggregator.token,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"synced 4 days (2024-03-04 .. 2024-03-07) and 2 fix patterns of synced to "
        f"{aggregator.url}; the next sync starts at 2024-03-07\n"
    )
    repos = aggregator.get("/api/v1/portfolio?until=2024-03-07&days=4")["repos"]
    [found] = [r for r in repos if r["repo"] == "synced"]
    assert (found["commits"], found["active_authors"]) == (11, 2)
    again = hookwise(
        "sync",
        "--no-pull",
        "--json",
        "--to",
        aggregator.url,
        "--token",
        aggregator.token,
        cwd=repo.path,
    )
    assert json.loads(again.stdout)["first_day"] == "2024-03-07"  # from the watermark
    assert len(aggregator.rows("synced")) == 4


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(
    repo: GitRepo, aggregator: Aggregator
) -> None:
    week(repo, "dry")
    done = hookwise("sync", "--dry-run", "--to", aggregator.url, cwd=repo.path)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    batch = SummaryBatch.from_json(json.loads(line))
    assert [s.commits for s in batch.summaries] == [3, 1, 3, 4]
    assert {p.signature for p in batch.patterns} == {
        "`<name>` imported but unused",
        "Line too long (N > N)",
    }
    assert all(p.example is None for p in batch.patterns)  # no code unless opted in
    assert "ada@example.com" not in line and "src/app" not in line
    assert aggregator.rows("dry") == []
    assert not (discover(repo.path).hookwise_dir / "sync").exists()


def test_code_goes_along_only_when_opted_in(repo: GitRepo, aggregator: Aggregator) -> None:
    week(repo, "coded")
    repo.write("pyproject.toml", "[tool.hookwise.sync]\ninclude_code = true\n")
    done = hookwise("sync", "--dry-run", "--to", aggregator.url, cwd=repo.path)
    batch = SummaryBatch.from_json(json.loads(done.stdout))
    examples = {p.rule: p.example for p in batch.patterns}
    assert examples == {"F401": "-import json\n", "E501": None}


def test_unreachable_is_queued_then_sent(repo: GitRepo, tmp_path: Path) -> None:
    week(repo, "queued")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    down = hookwise("sync", "--no-pull", "--to", url, "--token", "hw_x", cwd=repo.path)
    assert down.returncode == 1
    line = one_line(down)
    assert line.startswith(f"hookwise: the aggregator at {url} cannot be reached")
    assert "1 batch waits in" in line and "sent first by the next sync" in line
    folder = tmp_path / "aggregator"
    folder.mkdir()
    with running_aggregator(folder, port=port) as aggregator:
        up = hookwise("sync", "--no-pull", "--to", url, "--token", aggregator.token, cwd=repo.path)
        assert up.returncode == 0, up.stderr
        assert up.stdout.startswith("sent 1 queued batch first\n")
        assert len(aggregator.rows("queued")) == 4
    queue = discover(repo.path).hookwise_dir / "sync" / "queue"
    assert list(queue.rglob("*.json")) == []


def test_a_bad_token_is_one_line(repo: GitRepo, aggregator: Aggregator) -> None:
    week(repo, "badtoken")
    done = hookwise("sync", "--no-pull", "--to", aggregator.url, "--token", "hw_no", cwd=repo.path)
    assert done.returncode == 1
    assert "answered 401: the token is unknown or revoked" in one_line(done)


def test_a_token_in_the_repository_is_refused(repo: GitRepo, aggregator: Aggregator) -> None:
    week(repo, "leaky")
    repo.write("pyproject.toml", f'[tool.hookwise.sync]\ntoken = "{aggregator.token}"\n')
    done = hookwise("sync", "--no-pull", "--to", aggregator.url, cwd=repo.path)
    assert done.returncode == 1
    line = one_line(done)
    assert line.startswith("hookwise: pyproject.toml: [tool.hookwise] sync.token: a token must")
    assert "HOOKWISE_SYNC_TOKEN" in line
    assert aggregator.rows("leaky") == []


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        ([], 2, "no aggregator to sync to: give --to URL"),
        (["--to", "http://127.0.0.1:1"], 2, "no token to sync with: give --token"),
        (["--to", "ftp://x"], 1, "'ftp://x' is not an aggregator URL"),
        (["--to", "http://127.0.0.1:1", "--since", "monday"], 2, "--since: 'monday' is not a day"),
    ],
)
def test_bad_input_is_one_line(repo: GitRepo, args: list[str], code: int, says: str) -> None:
    repo.commit("first")
    done = hookwise(
        "sync", "--no-pull", *args, cwd=repo.path, HOOKWISE_SYNC_URL="", HOOKWISE_SYNC_TOKEN=""
    )
    assert done.returncode == code
    assert says in one_line(done)


def test_a_sync_pulls_the_patterns_of_other_projects(
    repo: GitRepo, tmp_path: Path, aggregator: Aggregator
) -> None:
    """Push one repository, then sync another (pulling by default): it holds the first's."""
    env = {"HOOKWISE_SYNC_URL": aggregator.url, "HOOKWISE_SYNC_TOKEN": aggregator.token}
    first = hookwise("sync", "--no-pull", cwd=week(repo, "pulled-from").path, **env)
    assert first.returncode == 0, first.stderr
    other = week(GitRepo.init(tmp_path / "other"), "pulling")
    done = hookwise("sync", "--json", cwd=other.path, **env)
    assert done.returncode == 0, done.stderr
    pulled = json.loads(done.stdout)["pull"]
    assert pulled["stored"] >= 2  # the first repository's patterns, at least
    assert pulled["skipped"] == 0
    assert pulled["aggregator_time"] is not None
    from hookwise.store.patterns import read_patterns

    rows = read_patterns(Store.open(discover(other.path)))
    assert len(rows) == pulled["stored"]
    assert all("pulling" not in row["repos"] for row in rows)  # its own are not pulled back
    text = hookwise("sync", cwd=other.path, **env)
    assert text.returncode == 0, text.stderr
    assert f"pulled {pulled['stored']} fix patterns from other projects" in text.stdout
