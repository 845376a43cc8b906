"""``hookwise fix`` through the real console script: exit codes, bad lines, round trip."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.console import hookwise, one_line
from tests.fixes.lines import line, lines
from tests.gitrepo import GitRepo


def test_record_list_confirm(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("first")
    records = tmp_path / "fixes.jsonl"
    records.write_bytes(lines(line(time="2024-01-01T00:00:00Z"), line(strategy="noqa")))
    proc = hookwise("fix", "record", str(records), "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "recorded 2 fix attempts\n"
    listed = hookwise("fix", "list", "--json", "--rule", "F401", "--repo", str(repo.path))
    attempts = json.loads(listed.stdout)
    assert [a["strategy"] for a in attempts] == ["noqa", "remove unused import"]
    table = hookwise("fix", "list", "--repo", str(repo.path), COLUMNS="200")
    assert "remove unused import" in table.stdout and attempts[1]["id"][:12] in table.stdout
    ref = attempts[1]["id"][:12]
    done = hookwise("fix", "confirm", ref, "--outcome", "failure", "--repo", str(repo.path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"fix {ref}: failure (was success)\n"
    after = json.loads(hookwise("fix", "list", "--json", "--repo", str(repo.path)).stdout)
    assert [a["outcome"] for a in after] == ["success", "failure"]


def test_bad_lines_from_stdin_exit_1_naming_each(repo: GitRepo) -> None:
    repo.commit("first")
    data = lines(line(), "not json", line(outcome="maybe")).decode()
    proc = hookwise("fix", "record", "-", "--repo", str(repo.path), stdin=data)
    assert proc.returncode == 1
    err = proc.stderr.splitlines()
    assert err[0] == "recorded 1 fix attempt"
    assert err[1].startswith("hookwise: line 2: not JSON")
    assert err[2].startswith("hookwise: line 3: 'outcome' must be one of success, failure")
    assert err[3] == "hookwise: 2 lines not stored; correct them and run it again"


def test_usage_errors_exit_2(repo: GitRepo) -> None:
    repo.commit("first")
    for args in (
        ["fix", "confirm", "abc", "--outcome", "maybe"],
        ["fix", "confirm", "abc"],
        ["fix", "list", "--limit", "0"],
        ["fix", "record", "no-such-file.jsonl"],
    ):
        proc = hookwise(*args, "--repo", str(repo.path))
        assert proc.returncode == 2, (args, proc.stderr)
        one_line(proc)
    unknown = hookwise("fix", "confirm", "abcd", "--outcome", "success", "--repo", str(repo.path))
    assert unknown.returncode == 2
    assert "no fix attempt has id 'abcd'" in one_line(unknown)


def test_export_import_into_a_fresh_repository(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("first")
    records = tmp_path / "fixes.jsonl"
    records.write_bytes(lines(line(context={"skill": "lint"}), line(strategy="noqa")))
    hookwise("fix", "record", str(records), "--repo", str(repo.path))
    dump = tmp_path / "memory.jsonl"
    out = hookwise("fix", "export", "-o", str(dump), "--repo", str(repo.path))
    assert out.returncode == 0 and out.stderr == f"wrote 2 fix attempts to {dump}\n"
    fresh = GitRepo.init(tmp_path / "fresh")
    fresh.commit("first")
    proc = hookwise("fix", "import", str(dump), "--repo", str(fresh.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "imported 2 fix attempts\n"
    again = hookwise("fix", "import", str(dump), "--repo", str(fresh.path))
    assert again.stderr == "imported 0 fix attempts, 2 already stored\n"
    assert hookwise("fix", "export", "--repo", str(fresh.path)).stdout == dump.read_text()
    table = hookwise("export", "fix_attempts", "--repo", str(fresh.path))
    rows = [json.loads(r) for r in table.stdout.splitlines()]
    assert len(rows) == 2 and all("vector" not in r and "embedder" not in r for r in rows)
    with_vectors = hookwise("export", "fix_attempts", "--vectors", "--repo", str(fresh.path))
    assert all(json.loads(r)["vector"] is None for r in with_vectors.stdout.splitlines())
    for table_name in ("findings", "check_runs"):
        empty = hookwise("export", table_name, "--repo", str(fresh.path))
        assert (empty.returncode, empty.stdout) == (0, "")


def test_learn_with_real_ruff(repo: GitRepo) -> None:
    from tests.fixes.history import make_history

    history = make_history(repo)
    proc = hookwise("fix", "learn", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("learned 3 fixes from 5 commits with ruff in ")
    listed = json.loads(hookwise("fix", "list", "--json", "--repo", str(repo.path)).stdout)
    assert {(a["rule"], a["commit"]) for a in listed} == {
        ("F401", history.f401),
        ("E711", history.e711),
        ("F841", history.f841),
    }
    again = hookwise("fix", "learn", "--repo", str(repo.path))
    assert again.stdout.startswith("learned 0 fixes from 0 commits with ruff")
    # The start was committed at 23:13 UTC on the 14th, the fixes after midnight.
    since = hookwise(
        "fix",
        "learn",
        "--select",
        "ruff=E7",
        "--since",
        "2023-11-15",
        "--repo",
        str(repo.path),
        TZ="UTC",
    )
    assert since.returncode == 0, since.stderr
    assert since.stdout.startswith("learned 0 fixes (1 already known) from 4 commits")


def test_learn_usage_and_missing_tools(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("first", {"a.py": "import os\n"})
    for args in (
        ["--select", "flake8=E7"],
        ["--select", ","],
        ["--since", "yesterday"],
        ["--jobs", "0"],
        ["--tool", "black"],
    ):
        proc = hookwise("fix", "learn", *args, "--repo", str(repo.path))
        assert proc.returncode == 2, (args, proc.stderr)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    path = f"{empty}:/usr/bin:/bin"
    none = hookwise("fix", "learn", "--tool", "eslint", "--repo", str(repo.path), PATH=path)
    assert none.returncode == 1
    assert one_line(none) == (
        "hookwise: eslint: command not found; install it, or check its name and PATH"
    )
    some = hookwise(
        "fix", "learn", "--tool", "ruff", "--tool", "eslint", "--repo", str(repo.path), PATH=path
    )
    assert some.returncode == 0, some.stderr
    assert some.stderr == "hookwise: eslint is not installed; learned without it\n"
    assert some.stdout.startswith("learned 0 fixes from 1 commit with ruff in ")


def test_init_learn_hands_learning_to_the_worker(repo: GitRepo) -> None:
    from hookwise.fixes.learn import pending_request
    from hookwise.git.repo import discover
    from tests.fixes.history import make_history
    from tests.waiting import wait_for

    history = make_history(repo)
    proc = hookwise("init", "--learn", "--repo", str(repo.path))
    assert proc.returncode == 0, proc.stderr
    assert "learning from history in the background" in proc.stderr
    paths = discover(repo.path)

    def learned() -> set[str]:
        listed = hookwise("fix", "list", "--json", "--repo", str(repo.path))
        return {a["commit"] for a in json.loads(listed.stdout or "[]")}

    wait_for(lambda: pending_request(paths) is None and learned(), timeout=120)
    assert learned() == {history.f401, history.e711, history.f841}


def test_recorded_attempts_wake_the_worker_which_embeds_them(repo: GitRepo) -> None:
    from hookwise.git.repo import discover
    from hookwise.search.state import read_state
    from hookwise.store import fixes as table
    from hookwise.store.db import Store
    from tests.waiting import wait_for

    assert hookwise("init", "--repo", str(repo.path)).returncode == 0
    repo.commit("feat: start")  # the hook starts the worker, which embeds the commit
    paths = discover(repo.path)
    wait_for(lambda: read_state(paths) is not None, timeout=120)
    hookwise("worker", "--stop")
    proc = hookwise("fix", "record", "--repo", str(repo.path), stdin=lines(line()).decode())
    assert proc.returncode == 0, proc.stderr
    state = read_state(paths)
    assert state is not None

    def waiting() -> list[object]:
        store = Store.open(paths, readonly=True)
        return list(table.fix_attempts_without_vector(store, state.model_id, 10))

    wait_for(lambda: not waiting(), timeout=120)


def test_pending_lists_what_needs_a_verdict_with_the_command_to_give_it(repo: GitRepo) -> None:
    from hookwise.git.repo import discover
    from hookwise.learning.pending import store_shown
    from hookwise.store.db import Store
    from tests.learning.shown import shown_item

    repo.commit("first")
    store_shown(Store.open(discover(repo.path)), "run-1", 1_700_000_000, [shown_item()])
    none = hookwise("fix", "pending", "--json", "--days", "100000", "--repo", str(repo.path))
    assert (none.returncode, json.loads(none.stdout)) == (0, [])
    proc = hookwise("fix", "pending", "--json", "--repo", str(repo.path))
    [waiting] = json.loads(proc.stdout)
    assert (waiting["strategy"], waiting["arm"], waiting["reason"]) == (
        "remove `import a`",
        "a",
        "no verdict yet",
    )
    assert waiting["confirm"] == f"hookwise fix confirm {waiting['id'][:12]} --outcome success"
    table = hookwise("fix", "pending", "--repo", str(repo.path), COLUMNS="200")
    assert waiting["id"][:12] in table.stdout and "no verdict yet" in table.stdout
    assert "hookwise fix confirm ID --outcome success" in table.stderr
    done = hookwise(
        "fix", "confirm", waiting["id"][:12], "--outcome", "failure", "--repo", str(repo.path)
    )
    assert done.returncode == 0, done.stderr
    after = hookwise("fix", "pending", "--repo", str(repo.path))
    assert (after.returncode, after.stdout, after.stderr) == (
        0,
        "",
        "nothing waits for a verdict\n",
    )
    assert hookwise("fix", "pending", "--days", "-1", "--repo", str(repo.path)).returncode == 2
