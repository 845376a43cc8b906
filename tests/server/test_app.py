"""The v1 API on SQLite and on a real PostgreSQL, through FastAPI's TestClient."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from hookwise.server import tokens
from hookwise.server.app import create_app
from hookwise.server.models import Pattern, Summary
from tests.server.payloads import batch, day, pattern


def client(engine: Engine, **options: Any) -> TestClient:
    return TestClient(create_app(engine, **options))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rows(engine: Engine, table: Any = Summary) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(table).order_by(table.id)))


def test_push_then_read_portfolio(engine: Engine) -> None:
    token = tokens.create(engine, "core")
    http = client(engine)
    sent = batch(
        [day("api", "2026-11-01", 4), day("api", "2026-11-03", 2), day("web", "2026-11-02")]
    )
    answer = http.post("/api/v1/summaries", json=sent, headers=auth(token))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"summaries": 3, "patterns": 0}

    got = http.get("/api/v1/portfolio?days=3&until=2026-11-03", headers=auth(token)).json()
    api = {r["repo"]: r for r in got["repos"]}["api"]
    assert [d["commits"] for d in api["days"]] == [4, 0, 2]
    assert api["commits"] == 6
    assert api["trend"] == pytest.approx(-1.0)  # least squares through (0,4) (1,0) (2,2)
    assert api["active_authors"] == 2


def test_resending_a_day_replaces_it(engine: Engine) -> None:
    token = tokens.create(engine, "core")
    http = client(engine)
    for commits in (5, 7):
        sent = batch([day("api", "2026-11-01", commits)], [pattern("api", "remove import", 0.5)])
        assert http.post("/api/v1/summaries", json=sent, headers=auth(token)).status_code == 200
    stored = rows(engine)
    assert [(r.repo, r.commits) for r in stored] == [("api", 7)]
    assert len(rows(engine, Pattern)) == 1


def test_a_batch_with_one_day_twice_keeps_the_last(engine: Engine) -> None:
    token = tokens.create(engine, "core")
    sent = batch([day("api", "2026-11-01", 1), day("api", "2026-11-01", 9)])
    answer = client(engine).post("/api/v1/summaries", json=sent, headers=auth(token))
    assert answer.json()["summaries"] == 1
    assert [r.commits for r in rows(engine)] == [9]


def test_concurrent_duplicate_pushes_leave_one_row(engine: Engine) -> None:
    token = tokens.create(engine, "core")
    http = client(engine)
    statuses: list[int] = []
    start = threading.Barrier(8)

    def push(commits: int) -> None:
        start.wait()
        sent = batch([day("api", "2026-11-01", commits)])
        statuses.append(http.post("/api/v1/summaries", json=sent, headers=auth(token)).status_code)

    threads = [threading.Thread(target=push, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 8
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Summary)).scalar() == 1
    assert rows(engine)[0].commits in range(1, 9)


def test_no_token_is_401_and_a_revoked_one_too(engine: Engine) -> None:
    http = client(engine)
    sent = batch([day("api", "2026-11-01")])
    assert http.post("/api/v1/summaries", json=sent).status_code == 401
    token = tokens.create(engine, "core")
    (listed,) = tokens.listing(engine)
    assert tokens.revoke(engine, listed.id)
    answer = http.post("/api/v1/summaries", json=sent, headers=auth(token))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert http.get("/api/v1/portfolio", headers=auth("hw_guessed")).status_code == 401
    assert rows(engine) == []


def test_a_repository_token_writes_only_its_repository(engine: Engine) -> None:
    ci = tokens.create(engine, "core", repo="api")
    http = client(engine)
    mixed = batch([day("api", "2026-11-01"), day("web", "2026-11-01")])
    answer = http.post("/api/v1/summaries", json=mixed, headers=auth(ci))
    assert answer.status_code == 403
    assert "web" in answer.json()["detail"]
    assert rows(engine) == []  # not even the day it may write
    sneaky = batch([day("api", "2026-11-01")], [pattern("web", "remove import", 1.0)])
    assert http.post("/api/v1/summaries", json=sneaky, headers=auth(ci)).status_code == 403
    assert rows(engine) == [] and rows(engine, Pattern) == []
    allowed = batch([day("api", "2026-11-01")])
    assert http.post("/api/v1/summaries", json=allowed, headers=auth(ci)).status_code == 200


def test_a_team_reads_only_its_own_data_and_an_admin_reads_all(engine: Engine) -> None:
    core, docs = tokens.create(engine, "core"), tokens.create(engine, "docs")
    admin = tokens.create(engine, "ops", admin=True)
    http = client(engine)
    http.post("/api/v1/summaries", json=batch([day("api", "2026-11-01")]), headers=auth(core))
    http.post("/api/v1/summaries", json=batch([day("site", "2026-11-01")]), headers=auth(docs))

    def repos(token: str, query: str = "") -> list[str]:
        got = http.get(f"/api/v1/portfolio?until=2026-11-02{query}", headers=auth(token))
        assert got.status_code == 200, got.text
        return [r["repo"] for r in got.json()["repos"]]

    assert repos(core) == ["api"]
    assert repos(docs) == ["site"]
    assert repos(admin) == ["api", "site"]
    assert repos(admin, "&team=docs") == ["site"]
    assert http.get("/api/v1/portfolio?team=docs", headers=auth(core)).status_code == 403
    assert http.get("/api/v1/repos/site/health", headers=auth(core)).status_code == 404
    assert http.get("/api/v1/repos/site/health", headers=auth(admin)).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"commits": -1}, "summaries[0].commits"),
        ({"commits": "3"}, "summaries[0].commits"),
        ({"day": "2026-02-30"}, "summaries[0].day"),
        ({"repo": "../etc"}, "summaries[0].repo"),
        ({"authors": ["ada@example.com"]}, "summaries[0].authors[0]"),
        ({"merges": 1, "conflicted_merges": 2}, "summaries[0].conflicted_merges"),
        (
            {"fixes": [{"tool": "ruff", "rule": "F401", "kind": "delete", "attempts": 1}]},
            "summaries[0].fixes[0].successes",
        ),
        ({"surprise": 1}, "summaries[0].surprise"),
    ],
)
def test_a_bad_field_is_422_naming_it(engine: Engine, change: dict[str, Any], field: str) -> None:
    token = tokens.create(engine, "core")
    sent = batch([{**day("api", "2026-11-01"), **change}])
    answer = client(engine).post("/api/v1/summaries", json=sent, headers=auth(token))
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert answer.json()["detail"].startswith(field)
    assert rows(engine) == []


def test_a_body_that_is_not_json_is_400_and_a_huge_one_413(engine: Engine) -> None:
    token = tokens.create(engine, "core")
    http = client(engine, max_body=2_000)
    answer = http.post("/api/v1/summaries", content=b"{nope", headers=auth(token))
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"
    for broken in (b"[" * 100_000, b'{"version": 1' + b"0" * 5000 + b"}", b"\xff"):
        answer = client(engine).post("/api/v1/summaries", content=broken, headers=auth(token))
        assert answer.status_code == 400, answer.text
    big = batch([day("api", f"2026-11-{d:02d}") for d in range(1, 29)])
    answer = http.post("/api/v1/summaries", json=big, headers=auth(token))
    assert answer.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while reading
        yield from (b" " * 1_000 for _ in range(5))

    streamed = http.post("/api/v1/summaries", content=chunks(), headers=auth(token))
    assert streamed.status_code == 413
    assert rows(engine) == []


def test_health_scores_summaries_as_hookwise_health_does(engine: Engine) -> None:
    token = tokens.create(engine, "core")
    http = client(engine)
    fixes = [{"tool": "ruff", "rule": "F401", "kind": "delete", "attempts": 4, "successes": 3}]
    days = [
        day("api", "2026-11-20", 2, merges=4, conflicted_merges=1, cc_eligible=2, cc_compliant=1),
        day("api", "2026-11-10", 1, fixes=fixes),
    ]
    http.post("/api/v1/summaries", json=batch(days), headers=auth(token))
    got = http.get("/api/v1/repos/api/health?until=2026-11-21", headers=auth(token)).json()
    scores = {c["name"]: c["score"] for c in got["components"]}
    # activity: weeks 0 and 1 of 4 -> 50; merges: 4 of 5 clean -> 80; messages: 2 of 3 -> 67
    assert scores == {"activity": 50, "merge_pain": 80, "message_discipline": 67, "fix_success": 75}
    assert got["score"] == round((50 + 80 + 67 + 75) / 4)


def test_patterns_show_what_works_across_repositories_and_where_it_is_missing(
    engine: Engine,
) -> None:
    token = tokens.create(engine, "core")
    http = client(engine)
    failing = [{"tool": "ruff", "rule": "F401", "kind": "delete", "attempts": 3, "successes": 0}]
    sent = batch(
        [day("web", "2026-11-01", fixes=failing)],
        [
            pattern("api", "remove the import", 0.9, 5.0),
            pattern("cli", "remove the import", 0.7, 3.0),
            pattern("web", "add noqa", 0.2, 4.0),
        ],
    )
    assert http.post("/api/v1/summaries", json=sent, headers=auth(token)).status_code == 200
    got = http.get("/api/v1/patterns?until=2026-11-02", headers=auth(token)).json()
    (rule,) = got["rules"]
    assert rule["repos"] == ["api", "cli", "web"]
    assert rule["failing_in"] == ["web"]
    (works,) = rule["strategies"]
    assert works["strategy"] == "remove the import"
    assert works["repos"] == ["api", "cli"]
    assert works["success"] == pytest.approx((0.9 * 5 + 0.7 * 3) / 8, abs=1e-4)
    gaps = {(g["works_in"], g["still_fails_in"]) for g in got["gaps"]}
    assert gaps == {("api", "web"), ("cli", "web")}

    export = http.get("/api/v1/patterns/export?exclude_repo=web", headers=auth(token)).json()
    from hookwise.sync.wire import PatternExport

    parsed = PatternExport.from_json(export)
    assert [(p.strategy, p.repos) for p in parsed.patterns] == [
        ("remove the import", ("api", "cli"))
    ]


def test_openapi_describes_the_wire_models(engine: Engine) -> None:
    document = client(engine).get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["DaySummary"]["properties"]["commits"]["minimum"] == 0
    body = document["paths"]["/api/v1/summaries"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/SummaryBatch")
    for path, model in [
        ("/api/v1/portfolio", "Portfolio"),
        ("/api/v1/repos/{repo}/health", "Health"),
        ("/api/v1/patterns", "Patterns"),
        ("/api/v1/patterns/export", "PatternExport"),
    ]:
        ok = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"] == f"#/components/schemas/{model}", path
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_metrics_expose_per_repository_gauges_to_an_admin(engine: Engine) -> None:
    from datetime import UTC, datetime

    core, admin = tokens.create(engine, "core"), tokens.create(engine, "ops", admin=True)
    http = client(engine)
    today = datetime.now(UTC).date().isoformat()
    sent = batch([day("api", today, 7, merges=4, conflicted_merges=1)])
    http.post("/api/v1/summaries", json=sent, headers=auth(core))
    assert http.get("/metrics", headers=auth(core)).status_code == 403
    text = http.get("/metrics", headers=auth(admin)).text
    assert 'hookwise_repo_commits_per_day{repo="api",team="core"} 1.0' in text
    assert 'hookwise_repo_conflict_rate{repo="api",team="core"} 0.25' in text
    assert (
        'hookwise_http_requests_total{method="POST",route="/api/v1/summaries",status="200"} 1.0'
        in text
    )
