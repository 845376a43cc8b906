"""``hookwise doctor``: each thing that goes wrong is named in one line, and --repair mends
what git can rebuild without deleting anything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookwise.capture import registry
from hookwise.capture.events import list_spool
from hookwise.capture.locations import RepoPaths
from hookwise.cli import main
from hookwise.doctor.run import doctor
from hookwise.git.repo import discover
from hookwise.install.hooks import install
from hookwise.store.db import Store
from hookwise.store.repair import DAMAGED_DIR
from tests.gitrepo import GitRepo
from tests.store.broken import damage, delete


@pytest.fixture
def installed(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> RepoPaths:
    """A repository with hooks, three commits and a store that holds them."""
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    paths = discover(repo.path)
    install(paths)
    for i in range(3):
        repo.commit(f"feat: change {i}")
    run(repo, "worker", "--once")
    return paths


def run(repo: GitRepo, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--repo", str(repo.path)])
    return result.exit_code, result.output


def failing(paths: RepoPaths) -> dict[str, str]:
    return {c.name: c.detail for c in doctor(paths).problems}


def stored(paths: RepoPaths) -> int:
    return Store.open(paths, readonly=True).count("commits")


def test_a_healthy_repository_passes_every_check(repo: GitRepo, installed: RepoPaths) -> None:
    code, out = run(repo, "doctor")
    assert code == 0, out
    names = [line.split()[1] for line in out.splitlines()]
    assert names[0] == "schema"
    assert {"table:commits", "history", "spool", "hooks", "registry", "log"} <= set(names)
    assert all(line.startswith("ok") for line in out.splitlines())


def test_a_store_moved_aside_is_rebuilt_from_git(
    repo: GitRepo, installed: RepoPaths, tmp_path: Path
) -> None:
    installed.store_dir.rename(tmp_path / "aside")
    assert "there is no store" in failing(installed)["store"]
    code, out = run(repo, "doctor")
    assert code == 1
    assert out.strip().splitlines()[-1].startswith("hookwise: 1 problem found;")
    code, out = run(repo, "doctor", "--repair")
    assert code == 0, out
    assert "repaired  history: read 3 commits" in out
    assert stored(installed) == 3


@pytest.mark.parametrize("table", ["commits", "ref_events"])
def test_a_damaged_table_of_history_is_set_aside_and_read_again(
    repo: GitRepo, installed: RepoPaths, table: str
) -> None:
    repo.git("checkout", "-q", "-b", "side")  # a switch, so ref_events has a row
    run(repo, "worker", "--once")
    before = Store.open(installed, readonly=True).count(table)
    damage(installed, table)
    assert f"table:{table}" in failing(installed)
    report = doctor(installed, repair=True)
    assert not report.problems, report.problems
    assert Store.open(installed, readonly=True).count(table) == before
    kept = list((installed.hookwise_dir / DAMAGED_DIR).glob(f"*/{table}.lance"))
    assert len(kept) == 1  # the damaged copy is kept, never deleted


def test_a_damaged_table_of_user_rows_is_kept_aside_and_started_empty(
    repo: GitRepo, installed: RepoPaths
) -> None:
    store = Store.open(installed)
    from hookwise.search.clicks import record_click

    record_click(store, "why", repo.head())
    damage(installed, "clicks")
    check = next(c for c in doctor(installed).checks if c.name == "table:clicks")
    assert not check.ok and check.repair is not None and "kept" in check.repair
    report = doctor(installed, repair=True)
    assert not report.problems
    assert Store.open(installed, readonly=True).count("clicks") == 0
    assert list((installed.hookwise_dir / DAMAGED_DIR).glob("*/clicks.lance"))


def test_a_damaged_fix_attempts_table_is_kept_aside_never_deleted(
    repo: GitRepo, installed: RepoPaths
) -> None:
    from hookwise.fixes.record import record
    from tests.fixes.lines import line, lines

    assert record(Store.open(installed), lines(line())).recorded == 1
    damage(installed, "fix_attempts")
    check = next(c for c in doctor(installed).checks if c.name == "table:fix_attempts")
    assert not check.ok and check.repair is not None and "kept" in check.repair
    report = doctor(installed, repair=True)
    assert not report.problems
    assert Store.open(installed, readonly=True).count("fix_attempts") == 0
    [kept] = list((installed.hookwise_dir / DAMAGED_DIR).glob("*/fix_attempts.lance"))
    assert list(kept.glob("data/*.lance"))  # the recorded row went with it
    assert stored(installed) == 3  # history was not touched


def test_a_deleted_table_is_made_again(repo: GitRepo, installed: RepoPaths) -> None:
    delete(installed, "commits")
    assert "table:commits" in failing(installed)
    assert not doctor(installed, repair=True).problems
    assert stored(installed) == 3


def test_a_damaged_version_file_is_written_again(repo: GitRepo, installed: RepoPaths) -> None:
    (installed.store_dir / "hookwise-schema.json").write_text("{not json")
    code, out = run(repo, "status")
    assert code == 1 and "doctor --repair" in out
    assert "schema" in failing(installed)
    assert not doctor(installed, repair=True).problems
    assert run(repo, "status")[0] == 0


def test_commits_the_store_lacks_are_read_in(repo: GitRepo, installed: RepoPaths) -> None:
    repo.git("update-ref", "refs/heads/elsewhere", repo.head())
    repo.git("checkout", "-q", "--orphan", "other")
    repo.commit("a root of its own")
    for f in list_spool(installed.spool_dir):
        f.path.unlink()  # as if the hooks had not run
    assert failing(installed)["history"].startswith("1 commit of the local branches is not")
    report = doctor(installed, repair=True)
    assert not report.problems
    assert stored(installed) == 4


def test_waiting_events_without_a_worker_are_stored(repo: GitRepo, installed: RepoPaths) -> None:
    repo.commit("fix: one more")
    assert "no worker runs" in failing(installed)["spool"]
    report = doctor(installed, repair=True)
    assert any(line.startswith("spool: stored 1 event (") for line in report.repaired)
    assert stored(installed) == 4 and not report.problems


def test_hooks_removed_behind_hookwise_s_back_are_installed_again(
    repo: GitRepo, installed: RepoPaths
) -> None:
    (installed.hooks_dir / "post-checkout").unlink()
    assert failing(installed)["hooks"].startswith("post-checkout is not captured")
    assert not doctor(installed, repair=True).problems
    assert (installed.hooks_dir / "post-checkout").exists()


def test_hooks_never_installed_are_not_installed_by_a_repair(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "plain")
    repo.commit("first")
    paths = discover(repo.path)
    check = next(c for c in doctor(paths).checks if c.name == "hooks")
    assert not check.ok and check.repair is None
    doctor(paths, repair=True)
    assert not (paths.hooks_dir / "post-commit").exists()


def test_a_lost_registry_entry_is_registered_again(repo: GitRepo, installed: RepoPaths) -> None:
    registry.unregister(installed.hookwise_dir)
    (installed.hookwise_dir / "registered").touch()  # the marker survived, the entry did not
    assert "registry" in failing(installed)
    assert not doctor(installed, repair=True).problems
    assert installed.hookwise_dir in registry.registered()


def test_corrupt_events_are_named_but_never_deleted(repo: GitRepo, installed: RepoPaths) -> None:
    installed.corrupt_dir.mkdir(exist_ok=True)
    (installed.corrupt_dir / "post-commit-x-1").write_text("garbage\n")
    report = doctor(installed, repair=True)
    [problem] = report.problems
    assert problem.name == "corrupt" and problem.repair is None
    assert (installed.corrupt_dir / "post-commit-x-1").exists()


def test_json_lists_every_check(repo: GitRepo, installed: RepoPaths) -> None:
    shutil.rmtree(installed.store_dir)
    code, out = run(repo, "doctor", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert data["checks"][0] == {
        "name": "store",
        "ok": False,
        "detail": data["checks"][0]["detail"],
        "repair": "read the history into a new store",
    }
    assert data["repaired"] == []
