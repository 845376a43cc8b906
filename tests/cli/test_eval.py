"""``hookwise eval`` in this process (click's runner), where coverage sees it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookwise.cli.app import main
from hookwise.embed import EMBEDDERS
from hookwise.embed.testing import fake_embedder_factory
from hookwise.git.repo import discover
from hookwise.store.db import Store
from hookwise.store.fixes import add_fix_attempts
from tests.gitrepo import GitRepo
from tests.learning.history import consistent
from tests.learning.test_online import constructed


@pytest.fixture(autouse=True)
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EMBEDDERS, "fake", fake_embedder_factory())
    monkeypatch.setenv("HOOKWISE_EMBEDDER", "fake")
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    path = tmp_path / "attempts.jsonl"
    path.write_text("".join(json.dumps(a.to_json()) + "\n" for a in consistent()))
    return path


def test_json_has_every_arm_iteration_interval_and_table(exported: Path, tmp_path: Path) -> None:
    code, out, err = _run(
        "eval",
        "--from",
        str(exported),
        "--arm",
        "prior:neighbours=0",
        "--arm",
        "blind:neighbours=0,prior_weight=0",
        "--iterations",
        "4",
        "--json",
        "--repo",
        str(tmp_path),  # no repository: the file alone is replayed
    )
    assert code == 0, err
    shape = json.loads(out)
    assert shape["attempts"] == 48 and shape["chunks"] == 4 and shape["reference"] == "prior"
    assert shape["seed"] == 0 and shape["resamples"] == 2_000
    assert [i["iteration"] for i in shape["iterations"]] == [1, 2, 3]
    names = [arm["name"] for arm in shape["arms"]]
    assert names == ["prior", "blind", "default", "rule majority", "global majority"]
    prior, blind = shape["arms"][0], shape["arms"][1]
    assert prior["overall"]["top1"] == 1.0 and prior["difference"] is None
    assert blind["difference"]["top1"]["high"] < 0
    assert blind["settings"] == {"neighbours": "0", "prior_weight": "0"}
    assert len(prior["iterations"]) == 3 and len(prior["reliability"]) == 10
    assert shape["arms"][3]["baseline"] is True and shape["arms"][3]["config"] is None


def test_the_table_shows_arms_as_columns(exported: Path) -> None:
    code, out, _ = _run("eval", "--from", str(exported), "--arm", "wide:neighbours=20")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("48 attempts replayed in 15 iterations")
    header = lines[2].split()
    assert header[0] == "wide" and "default" in header
    assert any(line.startswith("top-1") for line in lines)
    assert any(line.startswith("  vs wide") and "reference" in line for line in lines)
    assert "reliability of wide" in out and "reliability of rule majority" not in out


def test_the_same_seed_gives_the_same_intervals(exported: Path) -> None:
    runs = [
        json.loads(_run("eval", "--from", str(exported), "--json", "--seed", "9")[1])
        for _ in range(2)
    ]
    for run in runs:
        run.pop("seconds")
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    ("arm", "words"),
    [
        ("fast:neighbors=3", ["--arm", "'fast'", "no key 'neighbors'"]),
        ("fast:prior_weight=lots", ["--arm", "'fast'", "prior_weight"]),
        ("default:neighbours=3", ["--arm", "'default'"]),
    ],
)
def test_a_bad_arm_is_one_line_and_exit_2(exported: Path, arm: str, words: list[str]) -> None:
    code, out, err = _run("eval", "--from", str(exported), "--arm", arm)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err


def test_a_bad_line_of_the_file_is_named_by_its_number(exported: Path) -> None:
    lines = exported.read_text().splitlines()
    lines.insert(2, '{"finding": {}}')
    exported.write_text("\n".join(lines) + "\n")
    code, out, err = _run("eval", "--from", str(exported))
    assert code == 1 and out == ""
    assert "line 3:" in err and "nothing evaluated" in err


def test_the_repositorys_own_fix_memory(repo: GitRepo) -> None:
    repo.commit("feat: start")
    where = ["--repo", str(repo.path)]
    code, _, err = _run("eval", *where)
    assert code == 1 and "run `hookwise init` first" in err
    records = "".join(
        json.dumps(
            {
                "finding": {
                    "tool": a.tool,
                    "rule": a.rule,
                    "message": a.message,
                    "path": a.path,
                    "line": 1,
                },
                "strategy": a.strategy,
                "outcome": a.outcome,
                "time": f"2024-01-{1 + i // 6:02d}T00:00:{i % 60:02d}Z",
            }
        )
        + "\n"
        for i, a in enumerate(consistent())
    )
    assert _run("fix", "record", "-", *where, stdin=records)[0] == 0
    code, out, err = _run("eval", "--json", "--iterations", "4", *where)
    assert code == 0, err
    shape = json.loads(out)
    assert shape["attempts"] == 48 and shape["arms"][0]["name"] == "default"
    assert shape["arms"][1]["overall"]["top1"] == 1.0  # rule majority


def test_too_little_history_for_a_question(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    code, _, err = _run("eval", "--from", str(empty))
    assert code == 1 and "no fix attempt to replay" in err
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(consistent()[0].to_json()) + "\n")
    code, _, err = _run("eval", "--from", str(one))
    assert code == 1 and "give no question" in err


def test_online_reports_acceptance_per_arm_from_the_store(repo: GitRepo) -> None:
    store = Store.open(discover(repo.path))
    code, out, _ = _run("eval", "--online", "--json", "--repo", str(repo.path))
    assert code == 0 and json.loads(out)["arms"] == []
    code, out, _ = _run("eval", "--online", "--repo", str(repo.path))
    assert code == 0 and "no suggestion was shown under an A/B arm yet" in out
    add_fix_attempts(store, [row.to_row() for row in constructed()])
    code, out, _ = _run("eval", "--online", "--json", "--repo", str(repo.path))
    report = json.loads(out)
    assert code == 0
    assert [(a["arm"], a["shown"], a["resolved"], a["accepted"]) for a in report["arms"]] == [
        ("a", 10, 7, 4),
        ("b", 6, 5, 1),
    ]
    code, out, _ = _run("eval", "--online", "--repo", str(repo.path))
    assert code == 0 and "difference a - b" in out and "57.1%" in out
