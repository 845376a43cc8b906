"""The text a commit is embedded from: subject, body, and a short summary of paths.

The cut-off was chosen by measuring, on pytest's 17k-commit history, how well
a changelog entry finds the commit that added it against how long the text
takes to embed (``bench/embed.py --quality``; figures in docs/embeddings.md):
MiniLM's MRR on long messages rises from 0.54 (subject only) to 0.64 at 300
characters and no further at 600, 1,000 or the model's own limit, while 600
already takes 1.2-1.3x the time (1.5-1.9x on long messages). The paths
summary costs 2-8% more time for recall@10 0.66 -> 0.71. Hand-written
paraphrase queries (bench/search_queries.json) prefer the subject alone;
search embeds headlines for that reason, see docs/embeddings.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

#: Characters of subject + body kept. See the module docstring for how it was chosen.
MAX_COMMIT_TEXT_CHARS = 300
#: Paths named in the summary; more are counted, not named.
MAX_PATHS_NAMED = 3

# Git trailers and bookkeeping lines say who and where, not what changed; they
# only dilute the vector (and cost tokens).
_NOISE_LINE = re.compile(
    r"^\s*(?:"
    r"[A-Za-z][A-Za-z-]*-by:"  # Signed-off-by, Co-authored-by, Reviewed-by ...
    r"|Change-Id:|Cc:|Link:|Bug:|Fixes:\s*[0-9a-f]{7,}"
    r"|\(cherry picked from commit [0-9a-f]+\)"
    r"|git-svn-id:"
    r")",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def clean_body(body: str) -> str:
    """The body without trailers, on one line."""
    kept = [line for line in body.splitlines() if not _NOISE_LINE.match(line)]
    return _SPACE.sub(" ", " ".join(kept)).strip()


def paths_summary(paths: Sequence[str], *, named: int = MAX_PATHS_NAMED) -> str:
    """``files: assertion/rewrite, testing/test_assertrewrite (+2 more)``.

    Each path is cut to its last two components without the extension: the
    module and its package say what was touched, while ``src/`` prefixes and
    ``.py`` suffixes only spend tokens (measured: no extensions was both
    cheaper and better than full file names).
    """
    if not paths:
        return ""
    shown = []
    for path in paths[:named]:
        pure = PurePosixPath(path)
        parts = [*pure.parts[-2:-1], pure.stem or pure.name]
        shown.append("/".join(parts))
    more = len(paths) - len(shown)
    suffix = f" (+{more} more)" if more > 0 else ""
    return f"files: {', '.join(shown)}{suffix}"


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    # Cut at a word boundary unless that throws away a lot (one huge token).
    return cut[:space] if space > limit * 0.8 else cut


def commit_text(
    subject: str,
    body: str = "",
    paths: Sequence[str] = (),
    *,
    max_chars: int = MAX_COMMIT_TEXT_CHARS,
    with_paths: bool = True,
) -> str:
    """What a commit is embedded from.

    Subject and cleaned body are cut to ``max_chars`` together; the paths
    summary comes after the cut so it is never lost to a long body.
    """
    message = subject.strip()
    cleaned = clean_body(body)
    if cleaned:
        message = f"{message}\n{cleaned}" if message else cleaned
    message = _truncate(message, max_chars)
    summary = paths_summary(paths) if with_paths else ""
    if summary:
        return f"{message}\n{summary}" if message else summary
    return message
