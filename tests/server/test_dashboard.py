"""The web dashboard: its files, the day series it charts, and a live update in Chromium.

The browser test runs Debian's Chromium through Playwright against a real
uvicorn; it skips on a machine without them, except under ``CI=true``,
where that is a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hookwise.server import dashboard, database, tokens
from hookwise.server.app import create_app
from tests.server.payloads import batch, day, pattern
from tests.server.servers import in_thread, post

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
FOLDER = Path(dashboard.__file__).parent


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def today() -> date:
    return datetime.now(UTC).date()


def test_the_dashboard_is_served_at_the_root(tmp_path: Path) -> None:
    engine = database.engine_for(f"sqlite:///{tmp_path / 'a.db'}")
    http = TestClient(create_app(engine))
    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for name in ("app.js", "style.css"):
        assert f'"dashboard/{name}"' in page.text  # relative: works under a proxy's sub-path
        asset = http.get(f"/dashboard/{name}")
        assert asset.status_code == 200
        assert asset.content == (FOLDER / name).read_bytes()
    assert http.get("/dashboard/__init__.py").status_code == 404
    assert http.get("/dashboard/..%2F__init__.py").status_code == 404
    assert "/" not in http.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("name", sorted(dashboard.FILES))
def test_no_file_names_anything_outside_the_aggregator(name: str) -> None:
    """No CDN, no web font, no absolute URL: the dashboard works offline."""
    content = (FOLDER / name).read_text()
    assert not re.search(r"https?://|//cdn|@import|fonts\.", content, re.IGNORECASE)
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:/|[a-z]+:(?!,))""", content)


def test_day_series_answers_within_scope(engine: Engine) -> None:
    core = tokens.create(engine, "core")
    web = tokens.create(engine, "web")
    admin = tokens.create(engine, "ops", admin=True)
    http = TestClient(create_app(engine))
    days = ["2026-10-30", "2026-11-01", "2026-11-02"]
    sent = batch(
        [day("api", d, 3, merges=2, conflicted_merges=1, cc_compliant=2) for d in days],
        [pattern("api", "remove import", 0.8)],
    )
    assert http.post("/api/v1/summaries", json=sent, headers=auth(core)).status_code == 200

    url = "/api/v1/repos/api/days?since=2026-11-01&until=2026-11-30"
    got = http.get(url, headers=auth(core)).json()
    assert (got["team"], got["since"], got["until"]) == ("core", "2026-11-01", "2026-11-30")
    assert [d["day"] for d in got["days"]] == days[1:]  # a day without a summary is absent
    first = got["days"][0]
    assert (first["merges"], first["conflicted_merges"], first["cc_compliant"]) == (2, 1, 2)
    assert first["active_branches"] == 2
    assert "authors" not in first

    assert http.get(url, headers=auth(web)).status_code == 404  # not web's repository
    assert http.get(url + "&team=core", headers=auth(web)).status_code == 403
    assert http.get(url, headers=auth(admin)).json()["days"] == got["days"]
    assert http.get(url).status_code == 401
    backwards = "/api/v1/repos/api/days?since=2026-11-30&until=2026-11-01"
    assert http.get(backwards, headers=auth(core)).status_code == 422
    too_long = "/api/v1/repos/api/days?since=2024-01-01&until=2026-11-01"
    assert http.get(too_long, headers=auth(core)).status_code == 422


def test_day_series_defaults_to_the_last_thirty_days(engine: Engine) -> None:
    core = tokens.create(engine, "core")
    http = TestClient(create_app(engine))
    recent = [(today() - timedelta(days=n)).isoformat() for n in (0, 29, 30)]
    sent = batch([day("api", d) for d in recent])
    assert http.post("/api/v1/summaries", json=sent, headers=auth(core)).status_code == 200
    got = http.get("/api/v1/repos/api/days", headers=auth(core)).json()
    assert [d["day"] for d in got["days"]] == sorted(recent[:2])


# -- in Chromium --------------------------------------------------------------


@dataclass
class Served:
    where: str
    token: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path = tmp_path_factory.mktemp("dashboard") / "aggregator.db"
    engine = database.engine_for(f"sqlite:///{path}")
    database.upgrade(engine)
    token = tokens.create(engine, "core")
    with in_thread(create_app(engine)) as where:
        yield Served(where, token)
    engine.dispose()


def chromium_or_skip() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "Playwright is not installed (pip install --group browser)"
    else:
        if CHROMIUM.exists():
            return
        missing = f"{CHROMIUM} is missing; install it with: apt-get install -y chromium"
    if os.environ.get("CI") == "true":
        pytest.fail(missing)
    pytest.skip(missing)


@contextmanager
def laptop_page(served: Served) -> Iterator[Page]:
    """The dashboard in headless Chromium on a 1366x768 screen, signed in with no token yet."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://{served.where}/")
            yield page
        finally:
            browser.close()


# The table's cells by column, per repository, as the user reads them.
READ_TABLE = """() => Object.fromEntries(
    Array.from(document.querySelectorAll("#portfolio tbody tr")).map(row => [
        row.dataset.repo,
        Array.from(row.cells).map(cell => cell.textContent.trim()),
    ])
)"""


@pytest.mark.browser
def test_the_dashboard_updates_live_in_chromium(served: Served, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    on = today().isoformat()
    post(served.where, served.token, batch([day("api", on, 6, merges=4, conflicted_merges=1)]))
    origin = f"http://{served.where}"
    requests: list[str] = []
    with laptop_page(served) as page:
        page.on("request", lambda request: requests.append(request.url))
        page.fill("#token", served.token)
        page.click("#connect")
        expect(page.locator("#status")).to_have_text("live")
        row = page.locator('#portfolio tbody tr[data-repo="api"]')
        expect(row.locator(".commits-per-day")).to_have_text("0.20")  # 6 over 30 days
        expect(row.locator(".conflicts")).to_have_text("25%")
        assert page.evaluate(READ_TABLE)["api"][3] == "2"  # active authors
        expect(row.locator(".branches")).to_have_text("2.0")
        page.evaluate("window.notReloaded = true")

        older = day("web", on, 3, merges=0)
        del older["active_branches"]  # a client from before the figure
        post(served.where, served.token, batch([older]))
        post(served.where, served.token, batch([day("api", on, 12, merges=4, active_branches=3)]))
        expect(row.locator(".commits-per-day")).to_have_text("0.40")
        expect(row.locator(".branches")).to_have_text("3.0")
        expect(row.locator(".conflicts")).to_have_text("0%")
        web = page.locator('#portfolio tbody tr[data-repo="web"]')
        expect(web.locator(".commits-per-day")).to_have_text("0.10")
        expect(web.locator(".conflicts")).to_have_text("\u2014")  # no merges: no rate
        expect(web.locator(".branches")).to_have_text("\u2014")  # not reported: not 0
        expect(page.locator('#chart-velocity polyline[data-repo="web"]')).to_have_count(1)
        expect(page.locator('#chart-compliance rect.bar[data-repo="web"]')).to_have_count(1)
        assert page.evaluate("window.notReloaded") is True

        layout = page.evaluate(
            """() => ({
                scroll: document.documentElement.scrollWidth,
                table: document.querySelector("#portfolio").getBoundingClientRect().bottom,
                token: window.location.href.includes("hw_"),
                stored: sessionStorage.getItem("hookwise.token") !== null
                    && localStorage.length === 0,
            })"""
        )
        page.screenshot(path=str(tmp_path / "dashboard.png"))
    assert layout["scroll"] <= 1366  # no sideways scrolling on a laptop screen
    assert layout["table"] < 768  # the table is on the first screen
    assert not layout["token"] and layout["stored"]
    assert requests and all(url.startswith(origin + "/") for url in requests)


@pytest.mark.browser
def test_a_lost_feed_reconnects_and_catches_up(served: Served) -> None:
    from playwright.sync_api import expect

    with laptop_page(served) as page:
        page.fill("#token", served.token)
        page.click("#connect")
        expect(page.locator("#status")).to_have_text("live")
        # The page's own socket drops (as when a proxy restarts); while it is
        # down a summary arrives, which the reconnected page must load.
        page.evaluate("state.socket.close()")
        expect(page.locator("#status")).to_have_text("disconnected")
        post(served.where, served.token, batch([day("docs", today().isoformat(), 30)]))
        expect(page.locator("#status")).to_have_text("live")
        row = page.locator('#portfolio tbody tr[data-repo="docs"]')
        expect(row.locator(".commits-per-day")).to_have_text("1.00")


@pytest.mark.browser
def test_a_wrong_token_asks_again(served: Served) -> None:
    from playwright.sync_api import expect

    with laptop_page(served) as page:
        page.fill("#token", "hw_wrong")
        page.click("#connect")
        expect(page.locator("#login-error")).to_contain_text("refused")
        expect(page.locator("#status")).to_have_text("disconnected")
        assert page.evaluate("sessionStorage.length") == 0
