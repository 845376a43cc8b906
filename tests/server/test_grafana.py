"""docs/grafana/hookwise.json: importable as is, and every panel's SQL right on PostgreSQL.

The database is filled through the real API (several teams, repositories
and days); each panel's SQL has Grafana's macros and template variables
substituted as Grafana's PostgreSQL datasource does (``render``) and runs
on the real PostgreSQL of tests/server/conftest.py: no panel errors, and
the figures equal what was sent.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from hookwise.server import tokens
from hookwise.server.app import create_app
from hookwise.sync.wire import author_id
from tests.server.payloads import batch, day, pattern

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "hookwise.json"
FIRST = date(2026, 10, 1)
DAYS = 21
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def load() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return found


def panels() -> list[dict[str, Any]]:
    return [p for p in load()["panels"] if p["type"] != "row"]


def render(sql: str, start: datetime, end: datetime, variables: dict[str, list[str]]) -> str:
    """``sql`` as Grafana's PostgreSQL datasource sends it, for a range and variable values."""

    def moment(at: datetime) -> str:
        return at.astimezone(UTC).strftime("'%Y-%m-%dT%H:%M:%SZ'")

    def group(match: re.Match[str]) -> str:
        seconds = int(match[3]) * UNITS[match[4]]
        grouped = f"floor(extract(epoch from {match[2].strip()})/{seconds})*{seconds}"
        return f'{grouped} AS "time"' if match[1] else grouped

    def variable(match: re.Match[str]) -> str:
        values = variables[match[1] or match[2]]
        return ",".join("'" + v.replace("'", "''") + "'" for v in values)

    sql = re.sub(
        r"\$__timeFilter\(([^)]+)\)",
        lambda m: f"{m[1].strip()} BETWEEN {moment(start)} AND {moment(end)}",
        sql,
    )
    sql = sql.replace("$__timeFrom()", moment(start)).replace("$__timeTo()", moment(end))
    sql = re.sub(r"\$__timeGroup(Alias)?\(([^,]+),\s*'?(\d+)([smhd])'?\)", group, sql)
    sql = re.sub(r"\$\{(\w+)\}|\$(\w+)", variable, sql)
    assert "$" not in sql, sql
    return sql


def sent_days() -> list[dict[str, Any]]:
    """Three weeks of four repositories in two teams, each day's figures different.

    docs/site's first week comes from a client older than ``active_branches``.
    """
    people = [author_id(f"dev{n}@example.com") for n in range(6)]
    out = []
    for n in range(DAYS):
        on = (FIRST + timedelta(n)).isoformat()
        for k, (team, repo) in enumerate(REPOS):
            if (n + k) % 5 == 4:
                continue  # a quiet day: no summary at all
            fixes = [
                {
                    "tool": "ruff",
                    "rule": "F401",
                    "kind": "delete",
                    "attempts": 2,
                    "successes": 1 if k < 2 else 2,
                },
                {"tool": "mypy", "rule": "arg-type", "kind": "edit", "attempts": 1, "successes": 1},
            ]
            merges = (n + k) % 3
            commits = (n * 3 + k * 7) % 11 + 1
            summary = day(
                repo,
                on,
                commits=commits,
                authors=people[k : k + 1 + (n % 3)],
                merges=merges,
                conflicted_merges=min(merges, n % 2),
                branch_switches=(n + 2 * k) % 6,
                active_branches=min(commits, (n + k) % 4),
                cc_eligible=5,
                cc_compliant=(n + k) % 6,
                fixes=fixes if n % 2 == 0 else [],
            )
            if repo == "site" and n < 7:
                del summary["active_branches"]
            out.append({"team": team, **summary})
    return out


REPOS = [("core", "api"), ("core", "web"), ("core", "cli"), ("docs", "site")]


@pytest.fixture
def filled(postgres_engine: Engine) -> list[dict[str, Any]]:
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE tokens, summaries, patterns RESTART IDENTITY"))
    http = TestClient(create_app(postgres_engine))
    days = sent_days()
    for team in ("core", "docs"):
        token = tokens.create(postgres_engine, team)
        ours = [{k: v for k, v in d.items() if k != "team"} for d in days if d["team"] == team]
        repos = sorted({d["repo"] for d in ours})
        shared = [pattern(r, "remove the import", 0.8, 3.0) for r in repos]
        answer = http.post(
            "/api/v1/summaries",
            json=batch(ours, shared),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text
    return days


def test_the_dashboard_is_importable_as_is() -> None:
    dashboard = load()
    (source,) = dashboard["__inputs"]
    assert source["type"] == "datasource"
    assert source["pluginId"] == "grafana-postgresql-datasource"
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["id"] is None
    required = {r["id"] for r in dashboard["__requires"]}
    assert source["pluginId"] in required
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for found in panels():
        assert found["type"] in required, found["title"]
        assert found["datasource"]["uid"] == "${" + source["name"] + "}", found["title"]
        assert found["targets"], found["title"]
        for target in found["targets"]:
            assert target["rawQuery"] and target["rawSql"].strip(), found["title"]
            assert target["format"] in ("time_series", "table")
            assert target["datasource"] == found["datasource"]
        grid = found["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0
    for variable in dashboard["templating"]["list"]:
        assert variable["datasource"]["uid"] == "${" + source["name"] + "}"


def test_every_panel_runs_and_velocity_is_what_was_sent(
    postgres_engine: Engine, filled: list[dict[str, Any]]
) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    end = start + timedelta(days=DAYS) - timedelta(seconds=1)
    variables: dict[str, list[str]] = {}
    with postgres_engine.connect() as connection:
        for variable in load()["templating"]["list"]:  # in order: repo depends on team
            query = render(variable["query"], start, end, variables)
            variables[variable["name"]] = list(connection.execute(text(query)).scalars())
        assert variables == {"team": ["core", "docs"], "repo": ["api", "cli", "site", "web"]}
        answers = {}
        for found in panels():
            (target,) = found["targets"]
            sql = render(target["rawSql"], start, end, variables)
            answers[found["title"]] = [r._asdict() for r in connection.execute(text(sql))]

    velocity = Counter[tuple[str, str]]()
    for r in answers["Commits per day"]:
        on = datetime.fromtimestamp(float(r["time"]), UTC).date().isoformat()
        velocity[(r["metric"], on)] += r["commits"]
    assert velocity == Counter(
        {(f"{d['team']}/{d['repo']}", d["day"]): d["commits"] for d in filled}
    )

    branches = {
        (r["metric"], datetime.fromtimestamp(float(r["time"]), UTC).date().isoformat()): r[
            "active branches"
        ]
        for r in answers["Active branches per day"]
    }
    reported = [d for d in filled if "active_branches" in d]
    assert branches == {
        (f"{d['team']}/{d['repo']}", d["day"]): d["active_branches"] for d in reported
    }
    assert ("docs/site", FIRST.isoformat()) not in branches  # not reported: no point, not a 0
    assert branches[("core/api", FIRST.isoformat())] == 0  # reported as none: a point at 0

    people = {a for d in filled for a in d["authors"]}
    assert answers["Active authors"] == [{"active authors": len(people)}]

    merges: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in filled:
        merges[f"{d['team']}/{d['repo']}"][0] += d["merges"]
        merges[f"{d['team']}/{d['repo']}"][1] += d["conflicted_merges"]
    rates = {r["repository"]: r["conflict rate"] for r in answers["Conflict rate per repository"]}
    assert rates == pytest.approx({k: c / m for k, (m, c) in merges.items() if m})

    (failing,) = answers["Rules failing in several repositories"]
    assert (failing["tool"], failing["rule"]) == ("ruff", "F401")
    assert failing["failing in"] == "core/api, core/web"

    side = {(r["team"], r["repo"]): r for r in answers["Repositories side by side"]}
    assert set(side) == set(REPOS)
    assert side[("docs", "site")]["commits"] == sum(
        d["commits"] for d in filled if d["repo"] == "site"
    )
    for (team, repo), row in side.items():
        mine = [d["active_branches"] for d in reported if (d["team"], d["repo"]) == (team, repo)]
        assert float(row["active branches per day"]) == pytest.approx(
            sum(mine) / len(mine), abs=0.005
        )
    (shared,) = answers["Strategies that work (shared patterns)"]
    assert (shared["repositories"], float(shared["support"])) == (4, 12.0)

    narrowed = render(
        next(p for p in panels() if p["title"] == "Commits per day")["targets"][0]["rawSql"],
        start,
        end,
        {"team": ["docs"], "repo": ["site"]},
    )
    with postgres_engine.connect() as connection:
        assert {r.metric for r in connection.execute(text(narrowed))} == {"docs/site"}
