"""The HTML report: self-contained, escaped, and its charts draw in Chromium.

The browser test renders the report in Debian's Chromium (never a
downloaded one) through Playwright, counts each chart's data points, and
screenshots the charts to PNG to check that they are not blank. It skips
when Chromium is missing, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookwise.cli import main
from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.insights.health import Finding
from hookwise.insights.health import health as compute_health
from hookwise.insights.metrics import metrics
from hookwise.insights.report import render, write_report
from hookwise.store.db import Store
from tests.gitrepo import GitRepo
from tests.insights.test_metrics import TODAY, week_of_work

CHROMIUM = Path("/usr/bin/chromium")
NOW = 1_709_830_800  # 2024-03-07 17:00 UTC


@pytest.fixture
def report(repo: GitRepo, tmp_path: Path) -> Path:
    week_of_work(repo)
    paths = discover(repo.path)
    backfill(paths)
    return write_report(paths, Store.open(paths), tmp_path / "report.html", today=TODAY, now=NOW)


def test_the_report_needs_nothing_but_itself(report: Path) -> None:
    document = report.read_text()
    for outside in ("http://", "https://", "//cdn", "<script", "<link", "src=", "url(", "@import"):
        assert outside not in document, outside
    assert document.startswith("<!DOCTYPE html>")
    # One chart per question, and the health table.
    for chart in ("chart-velocity", "chart-switches", "chart-conflicts", "chart-types"):
        assert f'id="{chart}"' in document
    assert 'id="health"' in document


def test_chart_data_points(report: Path) -> None:
    document = report.read_text()

    def points(chart: str) -> int:
        svg = re.search(rf'<svg id="{chart}".*?</svg>', document, re.S)
        assert svg is not None
        return svg.group(0).count('class="point"')

    assert points("chart-velocity") == 4  # days
    assert points("chart-switches") == 4
    assert points("chart-conflicts") == 1  # the week of Monday 03-04
    assert points("chart-types") == 6  # five types and the non-conforming bar
    assert 'data-label="2024-03-05" data-v0="1"' in document


def test_text_from_the_repository_is_escaped(repo: GitRepo) -> None:
    week_of_work(repo)
    paths = discover(repo.path)
    backfill(paths)
    store = Store.open(paths)
    h = compute_health(paths, store, now=NOW)
    evil = Finding("churn_hotspot", "<script>alert(1)</script>.py", "info", "a & b", "do <this>")
    document = render(
        metrics(store, today=TODAY),
        replace(h, findings=(evil,)),
        title='<img src=x onerror="x">',
        generated="now",
    )
    assert "<script>" not in document and "<img" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.py" in document
    assert "do &lt;this&gt;" in document


def test_report_command(repo: GitRepo, tmp_path: Path) -> None:
    week_of_work(repo)
    backfill(discover(repo.path))
    out = tmp_path / "out.html"
    result = CliRunner().invoke(
        main, ["report", "--repo", str(repo.path), "-o", str(out), "--from", "2024-03-04"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and str(out) in result.output
    bad = CliRunner().invoke(main, ["report", "--repo", str(repo.path), "--since", "later"])
    assert bad.exit_code == 2 and "--since" in bad.output


# Counts the pixels of a PNG that are not (near) white, decoded by the browser.
COLORED_PIXELS = """
async (png) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  let colored = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230) colored++;
  }
  return colored;
}
"""


@pytest.mark.browser
def test_charts_draw_in_chromium(report: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; install it with: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            drawn = page.evaluate(
                """() => Object.fromEntries(
                    Array.from(document.querySelectorAll("svg.chart")).map(svg => [
                        svg.id,
                        Array.from(svg.querySelectorAll(".point")).map(point => {
                            const box = point.getBoundingClientRect();
                            return box.width * box.height > 0;
                        }),
                    ])
                )"""
            )
            colored = {}
            for chart in drawn:
                png = page.locator(f"#{chart}").screenshot()
                assert png.startswith(b"\x89PNG")
                colored[chart] = page.evaluate(COLORED_PIXELS, base64.b64encode(png).decode())
        finally:
            browser.close()

    assert requests == [report.as_uri()]  # nothing fetched from anywhere else
    assert {chart: len(points) for chart, points in drawn.items()} == {
        "chart-velocity": 4,
        "chart-switches": 4,
        "chart-conflicts": 1,
        "chart-types": 6,
    }
    # Every day had commits, so every velocity bar has an area on screen.
    assert all(drawn["chart-velocity"])
    # Switch days: 1, 0, 1, 3; a day without switches draws an empty bar.
    assert drawn["chart-switches"] == [True, False, True, True]
    assert all(drawn["chart-conflicts"]) and all(drawn["chart-types"])
    for chart, pixels in colored.items():
        assert pixels > 500, f"{chart} looks blank ({pixels} coloured pixels)"
    assert (tmp_path / "report.png").stat().st_size > 10_000
