"""``hookwise skills``: in this process (click's runner, where coverage sees it) and once
through the real console script."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hookwise.cli.app import main
from tests.cli.console import hookwise
from tests.fixes.lines import line, lines
from tests.gitrepo import GitRepo


@pytest.fixture
def recorded(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    repo.commit("feat: start")
    records = lines(
        line(context={"skill": "bot", "complexity": 2}, time="2025-01-01T00:00:00Z"),
        line(
            context={"skill": "bot"},
            outcome="failure",
            strategy="noqa",
            time="2025-04-01T00:00:00Z",
        ),
        line(time="2025-02-01T00:00:00Z", commit="m" * 40),
    ).decode()
    result = CliRunner().invoke(
        main, ["fix", "record", "-", "--repo", str(repo.path)], input=records
    )
    assert result.exit_code == 0, result.stderr
    return repo


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_terminal_view_shows_rates_with_their_counts(recorded: GitRepo) -> None:
    code, out, _ = _run("skills", "--repo", str(recorded.path))
    assert code == 0
    header, bot, best, worst, manual, manual_best = out.splitlines()
    assert header.split() == ["skill", "tries", "worked", "lately", "last", "try", "last", "win"]
    assert bot.split()[:5] == ["bot", "2", "50%", "of", "2"]
    assert best.split() == ["best", "python", "ruff", "F401", "cc", "1-5", "1/1"]
    assert worst.split() == ["worst", "python", "ruff", "F401", "0/1"]
    assert manual.split()[:5] == ["(manual)", "1", "100%", "of", "1"]
    assert manual_best.split() == ["best", "python", "ruff", "F401", "1/1"]


def test_json_is_one_stable_object(recorded: GitRepo) -> None:
    code, out, _ = _run("skills", "--json", "--half-life", "30", "--repo", str(recorded.path))
    assert code == 0
    report = json.loads(out)
    assert report["half_life_days"] == 30.0 and report["since"] is None
    bot = report["skills"][0]
    assert list(bot) == [
        "skill",
        "source",
        "attempts",
        "successes",
        "failures",
        "pending",
        "success_rate",
        "decayed_success_rate",
        "last_attempted",
        "last_successful",
        "most_effective",
        "least_effective",
    ]
    # 90 days between them at a half-life of 30: the old success counts 1/8.
    assert bot["decayed_success_rate"] == pytest.approx((1 / 8) / (1 + 1 / 8))
    assert report["skills"][1]["source"] == "manual"


def test_bad_options_and_an_empty_window(recorded: GitRepo) -> None:
    code, _, err = _run("skills", "--since", "soon", "--repo", str(recorded.path))
    assert code == 2 and err.count("\n") == 1 and "--since" in err
    code, _, err = _run("skills", "--half-life", "0", "--repo", str(recorded.path))
    assert code == 2
    code, out, err = _run("skills", "--since", "2099-01-01", "--repo", str(recorded.path))
    assert (code, out) == (0, "") and "no fix attempts recorded yet in that window" in err


def test_a_repository_without_a_store_says_how_to_make_one(repo: GitRepo) -> None:
    repo.commit("feat: start")
    code, _, err = _run("skills", "--repo", str(repo.path))
    assert code == 1 and "hookwise init" in err


def test_the_console_script_runs_it(recorded: GitRepo) -> None:
    proc = hookwise("skills", "--json", "--repo", str(recorded.path))
    assert proc.returncode == 0, proc.stderr
    assert [s["skill"] for s in json.loads(proc.stdout)["skills"]] == ["bot", None]
