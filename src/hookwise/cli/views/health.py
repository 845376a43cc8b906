"""``hookwise health`` in a terminal: the score, its components, and findings with what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hookwise.insights.health import Health

# 150 merged branches make one point, not 150 rows.
FINDINGS_PER_KIND = 5


def health_view(h: Health) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    score = "n/a" if h.score is None else f"{h.score}/100"
    out: list[RenderableType] = [Text(f"hookwise health · {score}", style="bold")]
    components = Table(box=box.SIMPLE_HEAD, title="Components", title_justify="left")
    components.add_column("component", no_wrap=True)
    components.add_column("score", justify="right", no_wrap=True)
    components.add_column("weight", justify="right", no_wrap=True)
    components.add_column("measured, and what to do", ratio=1)
    for c in h.components:
        text = c.detail + (f"\n→ {c.advice}" if c.advice else "")
        components.add_row(
            c.title,
            "n/a" if c.score is None else str(c.score),
            f"{c.weight * 100:.0f}%" if c.score is not None else "-",
            text,
        )
    out.append(components)
    if h.findings:
        findings = Table(box=box.SIMPLE_HEAD, title="Findings", title_justify="left")
        findings.add_column("", no_wrap=True)
        findings.add_column("branch or file", overflow="fold", max_width=28)
        findings.add_column("finding, and what to do", ratio=1)
        shown: dict[str, int] = {}
        for f in h.findings:
            shown[f.kind] = shown.get(f.kind, 0) + 1
            if shown[f.kind] > FINDINGS_PER_KIND:
                continue
            mark = "[red]![/red]" if f.severity == "warning" else "·"
            findings.add_row(mark, f.subject, f"{f.detail}\n→ {f.action}")
        hidden = [
            f"{n - FINDINGS_PER_KIND} more {kind.replace('_', ' ')}"
            for kind, n in shown.items()
            if n > FINDINGS_PER_KIND
        ]
        if hidden:
            findings.caption = f"and {', '.join(hidden)} findings (--json lists all)"
        out.append(findings)
    else:
        out.append(Text("No findings.", style="dim"))
    return out
