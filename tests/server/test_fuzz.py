"""Property-based fuzzing of every operation in the OpenAPI document: never a 5xx.

Schemathesis draws requests from ``/openapi.json``: valid ones (positive)
and ones that break the schema field by field (negative), and sends them
through the ASGI app, with an admin token and without any. Whatever it
sends, the answer is a 2xx or a 4xx. ``MAX_EXAMPLES`` keeps the four runs
near a minute on a loaded 2-core machine (SQLite; the PostgreSQL paths are
the same SQL, covered by tests/server/test_app.py).

Hypothesis drives the strategy directly rather than through schemathesis'
pytest plugin, whose lazy fixtures fail on pytest 9.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from hookwise.server import database, tokens
from hookwise.server.app import create_app
from tests.server.payloads import batch, day, pattern

schemathesis = pytest.importorskip("schemathesis")

MAX_EXAMPLES = 75  # per mode and token: 4 x 75 = 300 requests over 5 operations


@pytest.fixture(scope="module")
def fuzzed_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite database for the module, holding data for the reads to find."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "aggregator.db"
    engine = database.engine_for(f"sqlite:///{path}")
    database.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def admin_token(fuzzed_engine: Engine) -> str:
    return tokens.create(fuzzed_engine, "core", admin=True)


@pytest.fixture(scope="module")
def api(fuzzed_engine: Engine, admin_token: str) -> Any:
    from fastapi.testclient import TestClient

    app = create_app(fuzzed_engine)
    failing = [{"tool": "ruff", "rule": "F401", "kind": "delete", "attempts": 3, "successes": 0}]
    seeded = batch(
        [day("api", "2026-11-01", 4), day("web", "2026-11-02", fixes=failing)],
        [pattern("api", "remove the import", 0.9), pattern("web", "add noqa", 0.2)],
    )
    with TestClient(app) as http:
        answer = http.post(
            "/api/v1/summaries", json=seeded, headers={"Authorization": f"Bearer {admin_token}"}
        )
        assert answer.status_code == 200, answer.text
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_document_names_every_operation(api: Any) -> None:
    operations = {(op.ok().method.upper(), op.ok().path) for op in api.get_all_operations()}
    assert operations == {
        ("POST", "/api/v1/summaries"),
        ("GET", "/api/v1/portfolio"),
        ("GET", "/api/v1/repos/{repo}/health"),
        ("GET", "/api/v1/repos/{repo}/days"),
        ("GET", "/api/v1/patterns"),
        ("GET", "/api/v1/patterns/export"),
    }


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize("with_token", [True, False], ids=["admin-token", "no-token"])
def test_no_request_gets_a_server_error(
    api: Any, admin_token: str, mode: str, with_token: bool
) -> None:
    from schemathesis.checks import not_a_server_error

    headers = {"Authorization": f"Bearer {admin_token}"} if with_token else {}
    statuses: set[int] = set()

    @given(case=api.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def no_server_error(case: Any) -> None:
        response = case.call(headers={**(case.headers or {}), **headers})
        statuses.add(response.status_code)
        assert response.status_code < 500, (case.as_curl_command(), response.text)
        case.validate_response(response, checks=[not_a_server_error])

    no_server_error()
    # The run reached the routes: answers other than "no token" came back.
    assert statuses - {401} if with_token else statuses == {401}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/portfolio?until=0001-01-05&days=30",
        "/api/v1/patterns?until=0001-01-05",
        "/api/v1/repos/api/health?until=0001-01-05",
    ],
)
def test_a_day_too_early_to_end_a_window_is_422(
    api: Any, fuzzed_engine: Engine, admin_token: str, path: str
) -> None:
    """Found by probing the date parameters: a window reaching before year 1 was a 500.

    (``api`` has stored repository ``api``, so health gets past its 404.)
    """
    from fastapi.testclient import TestClient

    http = TestClient(create_app(fuzzed_engine), raise_server_exceptions=False)
    answer = http.get(path, headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "until"
    assert answer.json()["detail"].startswith("until must be on or after 1970-01-01")
