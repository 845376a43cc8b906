"""The edit at a finding's place, and deletions that are not fixes."""

from __future__ import annotations

import difflib

from hookwise.fixes.hunks import block_removed, hunk_at, hunks, near, touched

BEFORE = """\
import os
import sys


def f(x):
    y = 1
    return x


class C:
    def m(self):
        unused = 2
        return self


print(sys.argv)
"""


def _without(text: str, *numbers: int) -> str:
    return "".join(line for n, line in enumerate(text.splitlines(True), 1) if n not in set(numbers))


def test_the_hunk_at_a_finding_reads_like_git_show() -> None:
    after = _without(BEFORE, 1)
    diff = hunk_at(BEFORE, after, 1, path="m.py")
    expected = difflib.unified_diff(
        BEFORE.splitlines(), after.splitlines(), "a/m.py", "b/m.py", n=2, lineterm=""
    )
    assert diff == "\n".join(expected) + "\n"


def test_only_the_hunks_near_the_finding_are_shown() -> None:
    after = _without(BEFORE, 1, 12)
    diff = hunk_at(BEFORE, after, 12, path="m.py")
    assert diff is not None
    assert "-        unused = 2" in diff
    assert "-import os" not in diff
    assert len(hunks(BEFORE, after)) == 2


def test_a_far_edit_is_the_fix_when_it_is_the_only_one() -> None:
    after = "from typing import Any\n" + BEFORE
    [hunk] = near(BEFORE, after, 12)
    assert hunk.a_start == 1
    assert "+from typing import Any" in (hunk_at(BEFORE, after, 12, path="m.py") or "")


def test_no_change_no_hunk() -> None:
    assert hunk_at(BEFORE, BEFORE, 3, path="m.py") is None
    assert not touched(BEFORE, BEFORE, 3)


def test_touched_means_the_line_or_its_neighbour_changed() -> None:
    after = BEFORE.replace("    y = 1\n", "    y = 2\n")
    assert touched(BEFORE, after, 6)
    assert touched(BEFORE, after, 7)
    assert not touched(BEFORE, after, 12)


def test_a_deleted_file_or_block_is_not_a_fix() -> None:
    assert block_removed(BEFORE, None, 6)
    whole_function = _without(BEFORE, 5, 6, 7, 8, 9)
    assert block_removed(BEFORE, whole_function, 6)
    whole_class = _without(BEFORE, 10, 11, 12, 13, 14, 15)
    assert block_removed(BEFORE, whole_class, 12)
    whole_method = _without(BEFORE, 11, 12, 13)
    assert block_removed(BEFORE, whole_method, 12)


def test_deleting_the_offending_statement_is_a_fix() -> None:
    assert not block_removed(BEFORE, _without(BEFORE, 1), 1)
    assert not block_removed(BEFORE, _without(BEFORE, 12), 12)
    assert not block_removed(BEFORE, _without(BEFORE, 6), 6)
    rewritten = BEFORE.replace("def f(x):\n    y = 1\n    return x\n", "def f(x):\n    return x\n")
    assert not block_removed(BEFORE, rewritten, 6)


def test_a_block_replaced_by_another_is_a_rewrite_not_a_deletion() -> None:
    after = BEFORE.replace("    y = 1\n    return x\n", "    return x * 2\n    # doubled\n")
    assert not block_removed(BEFORE, after, 6)


def test_braces_close_their_block() -> None:
    before = "function f() {\n  let unused = 1;\n  return 2;\n}\nf();\n"
    after = "f();\n"
    assert block_removed(before, after, 2)
    assert not block_removed(before, "function f() {\n  return 2;\n}\nf();\n", 2)


def test_two_near_hunks_print_as_one_block_like_git() -> None:
    before = "a\nb\nc\nd\ne\nf\ng\n"
    after = "a\nB\nc\nD\ne\nf\ng\n"
    expected = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "a/m.py", "b/m.py", n=2, lineterm=""
    )
    assert hunk_at(before, after, 3, path="m.py") == "\n".join(expected) + "\n"


def test_a_long_replacement_is_narrowed_to_the_finding_and_the_line_it_became() -> None:
    before = "".join(f"    x{i}: Dict[str, int],\n" for i in range(8))
    after = "".join(f"    x{i}: dict[str, int],\n" for i in range(8))
    assert hunk_at(before, after, 4, path="m.py") == (
        "--- a/m.py\n+++ b/m.py\n@@ -4 +4 @@\n-    x3: Dict[str, int],\n+    x3: dict[str, int],\n"
    )


def test_a_real_rewrite_is_not_narrowed() -> None:
    before = "".join(f"value_{i} = compute({i})\n" for i in range(6))
    after = "".join(f"print('line', {i} * 2, sep='')\n" for i in range(6))
    diff = hunk_at(before, after, 3, path="m.py") or ""
    body = diff.splitlines()[3:]
    assert [line[0] for line in body] == ["-"] * 6 + ["+"] * 6
