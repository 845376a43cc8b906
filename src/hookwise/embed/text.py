"""The text a commit is embedded from: subject, body, and a short summary of paths.

The cut-off was chosen by measuring, on pytest's 17k-commit history, how well
a changelog entry finds the commit that added it against how long the text
takes to embed (``bench/embed.py --quality``; figures in docs/embeddings.md):
MiniLM's MRR on long messages rises from 0.54 (subject only) to 0.64 at 300
characters and no further at 600, 1,000 or the model's own limit, while 600
already takes 1.2-1.3x the time (1.5-1.9x on long messages). The paths
summary costs 2-8% more time for recall@10 0.66 -> 0.71. Hand-written
paraphrase queries (bench/search_queries.json) prefer the subject alone;
search embeds headlines for that reason (``headline``, ``search_text``), and
with MiniLM the whole message beside it (``message_text``; how the two are
combined is ``hookwise.search.recipe``'s), see docs/search.md.
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


# How a change arrived, not what it did: the boilerplate of merges, of
# backports and of svn imports. A pull request's merge says what it did in
# its body's first line (GitHub and GitLab put the title there) and its
# branch name.
_PR_MERGE = re.compile(r"^Merge pull request #\d+ from [\w.-]+/(?P<branch>\S+)")
_BITBUCKET_MERGE = re.compile(r"^Merged in [\w.-]+/[\w.-]+/(?P<branch>\S+) \(pull request #\d+\)")
_BRANCH_MERGE = re.compile(r"^Merge (?:remote-tracking )?branch '(?:[\w.-]+/)?(?P<branch>[^']+)'")
_SVN_PREFIX = re.compile(r"^\[svn r\d+\]\s*")
_BACKPORT_PREFIX = re.compile(r"^\[\d+(?:\.\d+)*\.x\]\s*")
_PR_NUMBER = re.compile(r"\s*\(#\d+\)")


def headline(subject: str, body: str = "") -> str:
    """What a commit did, in one line: its subject, or a merge's title and branch.

    ``Merge pull request #11152 from Zac-HD/drop-py37`` with the body ``Drop
    Python 3.7`` becomes ``Drop Python 3.7 (drop py37)``.
    """
    text = _PR_NUMBER.sub("", _BACKPORT_PREFIX.sub("", _SVN_PREFIX.sub("", subject.strip())))
    for pattern in (_PR_MERGE, _BITBUCKET_MERGE, _BRANCH_MERGE):
        m = pattern.match(text)
        if m:
            branch = re.sub(r"[-_/]+", " ", m.group("branch")).strip()
            title = next((line.strip() for line in body.splitlines() if line.strip()), "")
            return f"{title} ({branch})" if title else branch
    return text


def search_text(subject: str, body: str = "", paths: Sequence[str] = ()) -> str:
    """What a commit is embedded from for search: its headline.

    On the labelled queries of bench/search_quality.py (paraphrases of what a
    commit did), the headline alone beats subject + body + paths
    (``embed.text.commit_text``) by a wide margin for MiniLM: MRR@10 0.255
    against 0.177 (docs/search.md, "What is embedded"); the body and the
    paths mostly say *how*, and dilute the one sentence that says *what*.
    The body and the paths still count through the full-text index, which
    covers the whole message.
    """
    return commit_text(headline(subject, body), "", (), with_paths=False)


def message_text(subject: str, body: str = "") -> str:
    """The whole commit message as git keeps it: subject, a blank line, the body.

    Not cut here: the model's own limit (256 word pieces for MiniLM) is the
    cut. This is the text of the baseline of bench/search_quality.py, plain
    MiniLM over whole messages; search embeds it beside the headline.
    """
    return f"{subject.strip()}\n\n{body.strip()}".strip()
