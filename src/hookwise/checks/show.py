"""What ``hookwise check`` prints under a failing check: compact suggestions, on stderr.

The checker's stdout stays byte for byte its own, so everything hookwise
says goes to stderr, after the checker's output. Per finding that has
suggestions: one line naming it, at most ``MAX_STRATEGIES`` strategies with
their kind, success rate, support and confidence, and under the best one
its closest past fix as a diff of at most ``MAX_DIFF_LINES`` lines. A
finding without suggestions is not listed; when none has any, nothing is
printed. At most ``MAX_FINDINGS`` findings are listed (a screen), and the
rest counted in one line pointing at ``hookwise suggest``.

Colour only on a terminal, and never when ``NO_COLOR`` is set
(no-color.org). Plain ANSI codes: rich costs ~100 ms to import.
"""

from __future__ import annotations

# typing is not loaded on the check path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_FINDINGS = 10
MAX_STRATEGIES = 3
MAX_DIFF_LINES = 8

_BOLD, _DIM, _RED, _GREEN, _CYAN, _RESET = (
    "\x1b[1m",
    "\x1b[2m",
    "\x1b[31m",
    "\x1b[32m",
    "\x1b[36m",
    "\x1b[0m",
)


def render(answers: tuple[dict[str, Any], ...], *, colour: bool, source: str = "worker") -> str:
    """The text to print for the worker's (or the prior's) answers; empty when none helps."""
    paint = _painter(colour)
    useful = [a for a in answers if a.get("suggestions")]
    if not useful:
        return ""
    where = "in this repository" if source == "worker" else "for the same rule"
    if any(pulled_label(s) for a in useful for s in a["suggestions"] if isinstance(s, dict)):
        where += " and in other projects"
    out = [f"hookwise: what fixed these before, {where}:"]
    for answer in useful[:MAX_FINDINGS]:
        finding = answer.get("finding") or {}
        out.append("  " + _finding_line(finding, paint))
        for rank, suggestion in enumerate(answer["suggestions"][:MAX_STRATEGIES]):
            if not isinstance(suggestion, dict):
                continue
            out.append("    " + _strategy_line(suggestion, paint))
            if rank == 0:
                out += ["      " + line for line in _example(suggestion, paint)]
    if len(useful) > MAX_FINDINGS:
        more = len(useful) - MAX_FINDINGS
        out.append(f"  ... and {more} more with suggestions: run `hookwise suggest`")
    return "\n".join(out) + "\n"


def _painter(colour: bool) -> Any:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour and text else text

    return paint


def _finding_line(finding: dict[str, Any], paint: Any) -> str:
    place = str(finding.get("path", ""))
    if finding.get("line"):
        place += f":{finding['line']}"
    rule = paint(str(finding.get("rule", "")), _BOLD)
    return f"{rule} {place}  {_short(str(finding.get('message', '')), 72)}".rstrip()


def pulled_label(suggestion: dict[str, Any]) -> str:
    """``other projects: 4 repos, 82% of 37``: where a pulled pattern comes from, and its figures.

    Empty for this repository's own strategies (no ``source``)."""
    source = suggestion.get("source")
    if not isinstance(source, str):
        return ""
    label, repos = source, suggestion.get("repos")
    if isinstance(repos, int):
        label += f": {repos} repo{'' if repos == 1 else 's'}"
    rate, support = suggestion.get("success_rate"), suggestion.get("support")
    if isinstance(rate, (int, float)) and isinstance(support, int):
        label += f"{',' if ':' in label else ':'} {rate:.0%} of {support}"
    return label


def _strategy_line(suggestion: dict[str, Any], paint: Any) -> str:
    figures = [str(suggestion.get("kind") or "unknown")]
    rate, support = suggestion.get("success_rate"), suggestion.get("support")
    if pulled_label(suggestion):
        figures.append(f"({pulled_label(suggestion)})")
    elif isinstance(rate, (int, float)) and isinstance(support, int) and support:
        figures.append(f"worked {round(rate * support)} of {support} ({rate:.0%})")
    confidence = suggestion.get("confidence")
    if isinstance(confidence, (int, float)):
        figures.append(f"confidence {confidence:.2f}")
    strategy = paint(_short(str(suggestion.get("strategy", "")), 60), _CYAN)
    return f"{strategy}  {paint(' · '.join(figures), _DIM)}"


def _example(suggestion: dict[str, Any], paint: Any) -> list[str]:
    """The first example's diff: its changed lines first, at most ``MAX_DIFF_LINES``."""
    examples = suggestion.get("examples") or []
    first = examples[0] if examples and isinstance(examples[0], dict) else {}
    diff = first.get("diff")
    if not isinstance(diff, str) or not diff.strip():
        return []
    lines = [
        line
        for line in diff.splitlines()
        if line and not line.startswith(("---", "+++", "diff ", "index "))
    ]
    changed = [line for line in lines if line[0] in "+-@"] or lines
    shown = [_short(line, 100) for line in changed[:MAX_DIFF_LINES]]
    commit = first.get("commit")
    head = [paint(f"from {str(commit)[:12]}", _DIM)] if commit else []
    colours = {"+": _GREEN, "-": _RED, "@": _DIM}
    return head + [paint(line, colours.get(line[0], "")) for line in shown]


def _short(text: str, width: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= width else text[: width - 1] + "…"
