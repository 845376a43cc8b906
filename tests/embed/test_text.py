from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookwise.embed.text import (
    MAX_COMMIT_TEXT_CHARS,
    clean_body,
    commit_text,
    headline,
    paths_summary,
    search_text,
)


def test_subject_alone() -> None:
    assert commit_text("Fix crash on empty config") == "Fix crash on empty config"


def test_body_follows_the_subject_on_one_line() -> None:
    text = commit_text("Fix crash", "The parser assumed\na trailing newline.\n\nNow it does not.")
    assert text == "Fix crash\nThe parser assumed a trailing newline. Now it does not."


def test_trailers_and_bookkeeping_are_dropped() -> None:
    body = (
        "Handle a missing section.\n\n"
        "Signed-off-by: Ada Lovelace <ada@example.com>\n"
        "Co-authored-by: Grace Hopper <grace@example.com>\n"
        "(cherry picked from commit 0123456789abcdef)\n"
        "Change-Id: I0123456789\n"
    )
    assert clean_body(body) == "Handle a missing section."


def test_issue_references_are_kept() -> None:
    assert clean_body("Fixes #1234\nCloses #99") == "Fixes #1234 Closes #99"


def test_long_messages_are_cut_at_a_word_boundary() -> None:
    body = " ".join(["word"] * 400)
    text = commit_text("Subject", body, max_chars=100)
    assert len(text) <= 100
    assert text.endswith("word")


def test_one_huge_token_is_cut_anyway() -> None:
    text = commit_text("x" * 1000, max_chars=50)
    assert text == "x" * 50


def test_paths_summary_survives_a_long_body() -> None:
    text = commit_text("Subject", "word " * 1000, ["src/pkg/module.py"], max_chars=60)
    assert text.endswith("\nfiles: pkg/module")


def test_paths_summary_names_a_few_and_counts_the_rest() -> None:
    paths = ["src/_pytest/python.py", "testing/test_python.py", "README.rst", "a/b/c/d.py"]
    assert paths_summary(paths) == "files: _pytest/python, testing/test_python, README (+1 more)"
    assert paths_summary([]) == ""


def test_dotfiles_keep_their_names() -> None:
    assert paths_summary([".gitignore", "ci/.env"]) == "files: .gitignore, ci/.env"


def test_paths_can_be_left_out() -> None:
    assert commit_text("Subject", "", ["a.py"], with_paths=False) == "Subject"


def test_a_commit_with_only_paths() -> None:
    assert commit_text("", "", ["a.py"]) == "files: a"


def test_body_without_subject() -> None:
    assert commit_text("", "only a body") == "only a body"


@given(
    st.text(),
    st.text(),
    st.lists(st.text(min_size=1), max_size=6),
    st.integers(min_value=1, max_value=2000),
)
def test_only_the_paths_summary_goes_past_the_limit(
    subject: str, body: str, paths: list[str], max_chars: int
) -> None:
    text = commit_text(subject, body, paths, max_chars=max_chars)
    assert len(text) <= max_chars + 1 + len(paths_summary(paths))


def test_the_default_cut_applies() -> None:
    text = commit_text("Subject", "word " * 1000)
    assert MAX_COMMIT_TEXT_CHARS - 10 < len(text) <= MAX_COMMIT_TEXT_CHARS


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        (
            "Merge pull request #11152 from Zac-HD/drop-py37",
            "Drop Python 3.7\n",
            "Drop Python 3.7 (drop py37)",
        ),
        ("Merge pull request #1 from a/b", "", "b"),
        ("Merged in c/pytest/explicit-ini (pull request #175)", "Add -c", "Add -c (explicit ini)"),
        ("Merge branch 'fix-cache' into main", "", "fix cache"),
        ("[8.0.x] Fix the cache (#123)", "", "Fix the cache"),
        ("[svn r38218] give up for now", "", "give up for now"),
        ("fix: crash when HOME is unset", "long body", "fix: crash when HOME is unset"),
    ],
)
def test_headline(subject: str, body: str, expected: str) -> None:
    assert headline(subject, body) == expected


def test_search_embeds_the_headline_alone() -> None:
    body = "Drop Python 3.7\n\nIt reached its end of life.\n\nSigned-off-by: A <a@b.c>"
    text = search_text("Merge pull request #11152 from Zac-HD/drop-py37", body, ["setup.cfg"])
    assert text == "Drop Python 3.7 (drop py37)"
