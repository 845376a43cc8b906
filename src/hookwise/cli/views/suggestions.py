"""``hookwise suggest`` in a terminal: under each finding, what worked before, compactly.

A finding with nothing useful to say about it is not printed at all; one
with suggestions gets at most ``shown`` strategies and one example diff of
at most ``diff_lines`` lines (the most similar past fix of the best
strategy that has one). Colour comes from ``click.style`` and is dropped
when the output is not a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from hookwise.checks.show import pulled_label

if TYPE_CHECKING:
    from hookwise.fixes.suggest import FindingSuggestions, Suggestion


def _strategy(suggestion: Suggestion) -> str:
    if not suggestion.learned:
        facts = f"{suggestion.kind}: the checker's own fix, not learned"
    elif suggestion.source is not None:  # a pattern pulled from the team's other projects
        facts = f"{suggestion.kind}, {pulled_label(suggestion.to_json())}"
    else:
        rate = suggestion.success_rate or 0.0
        worked = round(rate * suggestion.support)
        confidence = round(100 * (suggestion.confidence or 0.0))
        facts = (
            f"{suggestion.kind}, {confidence}% confident, worked {worked} of {suggestion.support}"
        )
    return f"  {click.style(suggestion.strategy, bold=True)}  ({facts})"


def _example(answer: FindingSuggestions, shown: int, diff_lines: int) -> list[str]:
    for suggestion in answer.suggestions[:shown]:
        for example in suggestion.examples:
            diff = example.get("diff")
            if not diff:
                continue
            body = [line for line in diff.splitlines() if not line.startswith(("+++", "---"))]
            commit = example.get("commit")
            head = f"    as in {commit[:12]}:" if commit else "    as in a past fix:"
            lines = [click.style(head, dim=True)]
            for line in body[:diff_lines]:
                colour = (
                    "green" if line.startswith("+") else "red" if line.startswith("-") else None
                )
                lines.append("    " + click.style(line, fg=colour))
            if len(body) > diff_lines:
                lines.append(click.style(f"    ({len(body) - diff_lines} more lines)", dim=True))
            return lines
    return []


def suggestion_lines(
    answers: Sequence[FindingSuggestions], *, shown: int, diff_lines: int
) -> list[str]:
    """The lines to print, finding by finding; none for findings without suggestions."""
    lines: list[str] = []
    for answer in answers:
        if not answer.suggestions:
            continue
        finding = answer.finding
        place = f"{finding.path}:{finding.line}" if finding.line else finding.path
        rule = click.style(f"{finding.tool} {finding.rule}", fg="yellow")
        lines.append(f"{place}: {rule} {finding.message}")
        lines.extend(_strategy(s) for s in answer.suggestions[:shown])
        lines.extend(_example(answer, shown, diff_lines))
    return lines
