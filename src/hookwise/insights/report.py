"""``hookwise report``: one self-contained HTML file with the metrics and health.

No network, no CDN, no script: the charts are inline SVG drawn here, the
styles are inline, so the file opens offline and in any mail client or CI
artifact viewer. Every data point of a chart is an element of class
``point`` carrying its values as ``data-`` attributes, which is what the
browser test counts.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hookwise.capture.locations import RepoPaths
from hookwise.insights.figures import Metrics
from hookwise.insights.health import Health
from hookwise.insights.health import health as compute_health
from hookwise.insights.metrics import metrics
from hookwise.insights.windows import Filters
from hookwise.store.db import Store

WIDTH = 760
HEIGHT = 180
MARGIN_LEFT = 40
MARGIN_BOTTOM = 22
MARGIN_TOP = 10
# A repository with 150 merged branches gets ten rows and a count, not 150 rows.
FINDINGS_PER_KIND = 10


@dataclass(frozen=True)
class Bar:
    label: str  # the x value: a date, a week, a type
    values: tuple[int, ...]  # stacked, bottom first
    tooltip: str


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _column_chart(
    chart_id: str, title: str, bars: Sequence[Bar], classes: Sequence[str], unit: str
) -> str:
    """Vertical (stacked) bars over time, one ``g.point`` per bar."""
    plot_w = WIDTH - MARGIN_LEFT - 10
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = max((sum(b.values) for b in bars), default=0)
    scale = plot_h / top if top else 0.0
    step = plot_w / max(len(bars), 1)
    gap = min(2.0, step * 0.2)
    parts = [
        f'<svg id="{_e(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{_e(title)}" data-points="{len(bars)}" preserveAspectRatio="none">',
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="{MARGIN_TOP + plot_h}" '
        f'x2="{WIDTH - 10}" y2="{MARGIN_TOP + plot_h}"/>',
        f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP + 8}" text-anchor="end">'
        f"{top or ''}</text>",
        f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP + plot_h}" '
        f'text-anchor="end">0</text>',
    ]
    for i, bar in enumerate(bars):
        x = MARGIN_LEFT + i * step + gap / 2
        y = float(MARGIN_TOP + plot_h)
        data = " ".join(f'data-v{k}="{v}"' for k, v in enumerate(bar.values))
        parts.append(f'<g class="point" data-label="{_e(bar.label)}" {data}>')
        parts.append(f"<title>{_e(bar.tooltip)}</title>")
        for value, css in zip(bar.values, classes, strict=True):
            h = value * scale
            y -= h
            parts.append(
                f'<rect class="{css}" x="{x:.2f}" y="{y:.2f}" width="{max(step - gap, 0.5):.2f}" '
                f'height="{h:.2f}"/>'
            )
        parts.append("</g>")
    if bars:
        parts.append(
            f'<text class="tick" x="{MARGIN_LEFT}" y="{HEIGHT - 6}">{_e(bars[0].label)}</text>'
        )
        parts.append(
            f'<text class="tick" x="{WIDTH - 10}" y="{HEIGHT - 6}" text-anchor="end">'
            f"{_e(bars[-1].label)}</text>"
        )
    else:
        parts.append(
            f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            f"no {_e(unit)} in this window</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _row_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int, str]]) -> str:
    """Horizontal bars, one ``g.point`` per row of (label, value, css class)."""
    row_h = 22
    label_w = 130
    height = max(len(rows), 1) * row_h + 8
    top = max((v for _, v, _ in rows), default=0)
    scale = (WIDTH - label_w - 60) / top if top else 0.0
    parts = [
        f'<svg id="{_e(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{_e(title)}" data-points="{len(rows)}">'
    ]
    for i, (label, value, css) in enumerate(rows):
        y = 4 + i * row_h
        w = value * scale
        parts.append(
            f'<g class="point" data-label="{_e(label)}" data-v0="{value}">'
            f"<title>{_e(label)}: {value}</title>"
            f'<text class="label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">'
            f"{_e(label)}</text>"
            f'<rect class="{css}" x="{label_w}" y="{y + 3}" width="{w:.2f}" height="{row_h - 6}"/>'
            f'<text class="value" x="{label_w + w + 6:.2f}" y="{y + 15}">{value}</text>'
            "</g>"
        )
    if not rows:
        parts.append(
            f'<text class="empty" x="{WIDTH / 2}" y="20" text-anchor="middle">'
            "no commits to judge in this window</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _weekly_merges(m: Metrics) -> list[Bar]:
    """Merges per week (Monday to Sunday): clean below, conflicted on top."""
    weeks: dict[str, tuple[int, int]] = {}
    for day in m.merges.daily:
        d = date.fromisoformat(day.date)
        monday = (d - timedelta(days=d.weekday())).isoformat()
        merged, conflicted = weeks.get(monday, (0, 0))
        weeks[monday] = (merged + day.merges, conflicted + day.conflicted)
    return [
        Bar(
            week,
            (merged - conflicted, conflicted),
            f"week of {week}: {merged} merges, {conflicted} conflicted",
        )
        for week, (merged, conflicted) in weeks.items()
    ]


def _figure(label: str, value: object, note: str = "") -> str:
    return (
        f'<div class="figure"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div><div class="note">{_e(note)}</div></div>'
    )


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.0f}%"


def _health_section(h: Health) -> str:
    rows = []
    for c in h.components:
        score = "n/a" if c.score is None else str(c.score)
        weight = f"{c.weight * 100:.0f}%" if c.score is not None else "-"
        rows.append(
            f'<tr class="component" data-name="{_e(c.name)}"><td>{_e(c.title)}</td>'
            f'<td class="num">{_e(score)}</td><td class="num">{weight}</td>'
            f"<td>{_e(c.detail)}</td><td>{_e(c.advice or '')}</td></tr>"
        )
    findings = []
    shown: dict[str, int] = {}
    for f in h.findings:
        shown[f.kind] = shown.get(f.kind, 0) + 1
        if shown[f.kind] <= FINDINGS_PER_KIND:
            findings.append(
                f'<tr class="finding {_e(f.severity)}"><td>{_e(f.severity)}</td>'
                f"<td>{_e(f.kind)}</td><td><code>{_e(f.subject)}</code></td>"
                f"<td>{_e(f.detail)}</td><td>{_e(f.action)}</td></tr>"
            )
    hidden = [
        f"{n - FINDINGS_PER_KIND} more {kind.replace('_', ' ')}"
        for kind, n in shown.items()
        if n > FINDINGS_PER_KIND
    ]
    if hidden:
        findings.append(
            f'<tr class="more"><td colspan="5">and {_e(", ".join(hidden))} findings '
            "(<code>hookwise health --json</code> lists all)</td></tr>"
        )
    score = "n/a" if h.score is None else f"{h.score}/100"
    return (
        f'<h2>Health <span class="score" id="health-score">{_e(score)}</span></h2>'
        '<table id="health"><thead><tr><th>component</th><th>score</th><th>weight</th>'
        "<th>measured</th><th>what to do</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + (
            '<h3>Findings</h3><table id="findings"><thead><tr><th></th><th>kind</th>'
            "<th>branch or file</th><th>detail</th><th>what to do</th></tr></thead><tbody>"
            + "".join(findings)
            + "</tbody></table>"
            if findings
            else '<p class="quiet">No findings.</p>'
        )
    )


STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232a;
       margin: 2rem auto; max-width: 820px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; font-size: 1.15rem; }
.sub, .quiet, .note { color: #66707a; } .note { font-size: 12px; }
.figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.figure { border: 1px solid #dde2e6; border-radius: 6px; padding: .5rem .8rem; min-width: 120px; }
.figure .value { font-size: 1.3rem; font-weight: 600; }
svg.chart { width: 100%; height: auto; display: block; }
.axis { stroke: #9aa4ad; stroke-width: 1; } .tick, .label, .value, .empty { font-size: 11px; }
.tick, .empty { fill: #66707a; }
rect.commits { fill: #3b7dd8; } rect.switches { fill: #8a63d2; } rect.clean { fill: #9fc5a8; }
rect.conflicted { fill: #d9534f; } rect.compliant { fill: #3c9d5d; }
rect.nonconforming { fill: #c9ced3; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e5e8eb;
         vertical-align: top; }
td.num { text-align: right; } .score { color: #3b7dd8; }
tr.warning td:first-child { color: #b3261e; font-weight: 600; }
"""


def render(m: Metrics, h: Health, *, title: str, generated: str) -> str:
    """The report as one HTML document."""
    v = m.velocity
    window = (
        f"{m.window.start} to {m.window.end} ({m.window.days} days)" if m.window.days else "empty"
    )
    velocity = _column_chart(
        "chart-velocity",
        "Commits per day",
        [Bar(d.date, (d.commits,), f"{d.date}: {d.commits} commits") for d in v.daily],
        ["commits"],
        "commits",
    )
    switches = _column_chart(
        "chart-switches",
        "Branch switches per day",
        [
            Bar(d.date, (d.switches,), f"{d.date}: {d.switches} switches")
            for d in m.branch_switches.daily
        ],
        ["switches"],
        "branch switches",
    )
    conflicts = _column_chart(
        "chart-conflicts", "Merges per week", _weekly_merges(m), ["clean", "conflicted"], "merges"
    )
    cc = m.conventional
    type_rows = [(t, n, "compliant") for t, n in cc.by_type.items()]
    if cc.eligible:
        type_rows.append(("non-conforming", cc.eligible - cc.compliant, "nonconforming"))
    types = _row_chart("chart-types", "Compliant commits by type", type_rows)
    trend = "n/a" if v.trend_per_day is None else f"{v.trend_per_day:+.3f}/day"
    figures = "".join(
        [
            _figure("commits", v.commits, f"{v.per_day:.2f} per day, {v.per_week:.1f} per week"),
            _figure("trend", trend, v.trend or "too few days"),
            _figure(
                "branch switches",
                m.branch_switches.count,
                f"{m.branch_switches.per_day:.2f} per day",
            ),
            _figure(
                "merge conflicts",
                _pct(m.merges.conflict_rate),
                f"{m.merges.conflicted} of {m.merges.checked} merges",
            ),
            _figure("conventional", _pct(cc.rate), f"{cc.compliant} of {cc.eligible} commits"),
            _figure(
                "sessions", m.sessions.count, f"median {m.sessions.median_minutes or 0:.0f} min"
            ),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<p class="sub">Window: {_e(window)} · generated {_e(generated)} by hookwise</p>
<div class="figures">{figures}</div>
<h2>Velocity: commits per day</h2>
{velocity}
<h2>Branch switches per day</h2>
{switches}
<h2>Conflicts over time: merges per week</h2>
<p class="legend"><span style="background:#9fc5a8"></span>clean
<span style="background:#d9534f"></span>conflicted</p>
{conflicts}
<h2>Conventional commits by type</h2>
{types}
{_health_section(h)}
</body>
</html>
"""


def write_report(
    paths: RepoPaths,
    store: Store,
    output: Path,
    filters: Filters | None = None,
    *,
    today: date | None = None,
    now: int | None = None,
) -> Path:
    """Compute metrics and health and write the report to ``output``."""
    m = metrics(store, filters, today=today)
    h = compute_health(paths, store, now=now)
    repo = paths.worktree or paths.common_dir
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    document = render(m, h, title=f"hookwise report: {repo.name}", generated=generated)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(output)
    return output
