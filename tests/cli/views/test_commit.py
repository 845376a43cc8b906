"""``hookwise show`` in a terminal: a commit worded as ``git show --stat`` words it."""

from __future__ import annotations

from dataclasses import replace

from hookwise.cli.views.commit import MAX_FILES_SHOWN, render_commit
from hookwise.history.show import CommitView, FileStat

PARENT = "1" * 40
SHA = "2" * 40
SECOND = CommitView(
    sha=SHA,
    parents=(PARENT,),
    author="Ada Lovelace",
    author_email="ada@example.com",
    date="2024-03-04T09:00:00+00:00",
    subject="fix: second",
    body="Why it was broken.\n\nSigned-off-by: Ada <ada@example.com>",
    files=(FileStat("a.txt", 0, 1), FileStat("b.bin", None, None)),
)


def test_message_stats_and_files() -> None:
    text = render_commit(SECOND)
    assert text.startswith(f"commit {SHA}\nAuthor: Ada Lovelace <ada@example.com>")
    assert "    fix: second" in text
    assert "\n    Why it was broken.\n\n    Signed-off-by: Ada <ada@example.com>\n" in text
    assert "2 files changed, 0 insertions(+), 1 deletion(-)" in text  # as git words it
    assert "b.bin  binary" in text
    assert "a.txt  +0 -1" in text
    assert "(result" not in text


def test_a_merge_is_summarised_against_its_first_parent() -> None:
    merge = replace(SECOND, parents=(PARENT, "3" * 40), files=(FileStat("t.txt", 2, 0),))
    text = render_commit(merge)
    assert "(against the first parent)" in text
    assert text.splitlines()[1] == f"Merge: {PARENT[:10]} {'3' * 10}"
    assert "1 file changed, 2 insertions(+), 0 deletions(-)" in text


def test_a_search_result_says_which_search_it_came_from() -> None:
    opened = replace(SECOND, query="What Broke?", rank=1)
    assert render_commit(opened).endswith("\n\n(result 1 of the search 'What Broke?')")


def test_many_files_list_the_first_ones() -> None:
    files = tuple(FileStat(f"f{i:03}.py", 1, 0) for i in range(MAX_FILES_SHOWN + 5))
    lines = render_commit(replace(SECOND, files=files)).splitlines()
    assert sum(line.startswith("   f") for line in lines) == MAX_FILES_SHOWN
    assert lines[-1] == "   ... and 5 more files"
