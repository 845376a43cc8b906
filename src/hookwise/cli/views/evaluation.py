"""``hookwise eval`` in the terminal: arms as columns, then iterations, then reliability."""

from __future__ import annotations

from collections.abc import Sequence

from hookwise.cli.views.figures import count
from hookwise.learning.evaluate import METRICS, Evaluation, Scores

LABELS = {"top1": "top-1", "top3": "top-3", "mrr": "MRR"}
#: Width of an arm's column: a difference and its interval, "+0.014 [+0.003, +0.026]".
WIDTH = 24
LABEL = 12


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _row(label: str, cells: Sequence[str]) -> str:
    return (label.ljust(LABEL) + "".join(c.ljust(WIDTH) for c in cells)).rstrip()


def evaluation_lines(result: Evaluation) -> list[str]:
    questions = sum(i.questions for i in result.iterations)
    lines = [
        f"{count(result.attempts, 'attempt')} replayed in {result.chunks} iterations "
        f"({len(result.iterations)} with questions): {count(questions, 'question')} "
        f"({result.seconds:.1f} s; intervals: 95%, {result.resamples:,} paired resamples, "
        f"seed {result.seed})",
        "",
        _row("", [a.arm.name for a in result.arms]),
    ]
    for metric in METRICS:
        lines.append(
            _row(LABELS[metric], [_figure(getattr(a.overall, metric)) for a in result.arms])
        )
        cells = []
        for arm in result.arms:
            interval = (arm.difference or {}).get(metric)
            cells.append(
                "reference"
                if arm is result.arms[0]
                else "n/a"
                if interval is None
                else f"{interval.difference:+.3f} [{interval.low:+.3f}, {interval.high:+.3f}]"
            )
        lines.append(_row(f"  vs {result.reference}"[:LABEL], cells))
    lines += ["", "top-1 / top-3 per iteration (history: attempts before it)"]
    lines.append(_row("it  history", [a.arm.name for a in result.arms]))
    for i, iteration in enumerate(result.iterations):
        label = f"{iteration.number:<3} {iteration.history:>7}"
        lines.append(_row(label, [_pair(a.iterations[i]) for a in result.arms]))
    for arm in result.arms:
        if not arm.reliability:
            continue
        error = _figure(arm.overall.calibration_error)
        lines += ["", f"reliability of {arm.arm.name} (calibration error {error})"]
        lines.append("confidence  suggestions  mean confidence  right")
        for b in arm.reliability:
            if b.count:
                lines.append(
                    f"{b.low:.1f}-{b.high:.1f}     {b.count:>11,}  "
                    f"{_figure(b.confidence):>15}  {_figure(b.accuracy):>5}"
                )
    return lines


def _pair(scores: Scores) -> str:
    return f"{_figure(scores.top1)} / {_figure(scores.top3)} ({scores.questions:,})"
