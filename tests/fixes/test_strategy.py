"""Strategies read from diffs: one name for one edit whatever its names, and the right kind."""

from __future__ import annotations

import pytest

from hookwise.fixes.kinds import KINDS
from hookwise.fixes.strategy import MAX_NAME, Strategy, changed_lines, default_kind, describe


@pytest.mark.parametrize(
    ("strategy", "diff", "kind"),
    [
        ("silence it", "-x = f(y)\n+x = f(y)  # type: ignore[arg-type]\n", "suppress"),
        ("silence it", "+// eslint-disable-next-line no-unused-vars\n", "suppress"),
        ("drop it", "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1 @@\n-import os\n-\n", "imports"),
        ("drop it", "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1 @@\n-x = 1\n-\n", "delete"),
        ("tidy", "-import os\n+import sys\n+from pathlib import Path\n", "imports"),
        ("rename", None, "rename"),
        ("Rewrite ", "-a = 1\n+b = 2\n", "rewrite"),
        ("fix it", "-a = 1\n+a = 2\n", "replace"),
        ("fix it", None, "unknown"),
    ],
)
def test_the_first_rule_that_applies_decides(strategy: str, diff: str | None, kind: str) -> None:
    assert default_kind(strategy, diff) == kind


@pytest.mark.parametrize(
    ("one", "other", "name", "kind"),
    [
        ("-import os\n", "-import json\n", "remove `import a`", "imports"),
        ("-    x = compute(a, b)\n", "-  total = add(c, d)\n", "delete `a = b(c, d)`", "delete"),
        (
            "-    if x == None:\n+    if x is None:\n",
            "-        if value == None:\n+        if value is None:\n",
            "replace `==` with `is`",
            "replace",
        ),
        (
            "-    foo = 1\n-    return foo\n+    _foo = 1\n+    return _foo\n",
            "-    bar = g()\n+    _bar = g()\n",
            "prefix an unused name with `_`",
            "rename",
        ),
        (
            "-def f(a, b):\n+def f(a, b) -> None:\n",
            "-    def method(self):\n+    def method(self) -> None:\n",
            "add a return annotation",
            "signature",
        ),
        (
            "-import os\n+import os  # noqa: F401\n",
            "-import sys\n+import sys  # noqa: F401\n",
            "add `# noqa: F401`",
            "suppress",
        ),
        (
            "-    except:\n+    except Exception:\n",
            "-        except:\n+        except Exception:\n",
            "replace `except:` with `except Exception:`",
            "replace",
        ),
        (
            "-    print 'hello'\n+    print('hello')\n",
            '-print "x=%d"\n+print("x=%d")\n',
            'replace `print "…"` with `print("…")`',
            "replace",
        ),
        (
            "-    return x.has_key(k)\n+    return k in x\n",
            "-    if d.has_key(name):\n+    if name in d:\n",
            "replace `a.b(c)` with `c in a`",
            "replace",
        ),
    ],
)
def test_the_same_edit_on_other_names_is_one_strategy(
    one: str, other: str, name: str, kind: str
) -> None:
    assert describe(one) == describe(other)
    assert describe(one).name == name
    assert describe(one).kind == kind


def test_keywords_and_builtins_stay_in_the_name_and_literals_do_not() -> None:
    name = describe("-    n = len(items) + 42\n+    n = len(items) + 'x'\n").name
    assert "42" not in name and "x'" not in name
    assert describe("-    xs = [a for a in b]\n+    xs = list(b)\n").name == (
        "replace `[a for a in b]` with `list(b)`"
    )


def test_large_edits_are_rewrites_and_names_stay_short() -> None:
    big = "".join(f"-old_{i} = {i}\n" for i in range(6)) + "+new = 1\n"
    assert describe(big) == describe(big.replace("old_", "was_"))
    assert describe(big).kind == "rewrite"
    long = "-x = 1\n+x = " + " + ".join(f"name_{i}" for i in range(12)) + "\n"
    assert len(describe(long).name) <= MAX_NAME + 20


def test_every_kind_it_gives_is_in_the_taxonomy() -> None:
    diffs = [
        "-a\n",
        "+import a\n",
        "-a = 1\n+a = 2\n",
        "-def f(a):\n+def f(a, b):\n",
        "-x = 1\n+x = 1  # noqa\n",
        "-a = b\n+c = b\n",
        "",
    ]
    assert {describe(diff).kind for diff in diffs} <= set(KINDS)
    assert describe("").kind == "unknown"


def test_changed_lines_skip_headers_and_blank_lines() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,2 @@\n import sys\n-import os\n-\n+import re\n"
    assert changed_lines(diff) == (["import os"], ["import re"])


def test_a_comment_with_quotes_does_not_swallow_the_code() -> None:
    assert describe("-x = 1  # it's fine\n+x = 2  # it's fine\n").name == "replace `N` with `N`"


def test_one_edit_repeated_on_every_line_is_named_once() -> None:
    old = "".join(f"-    x{i}: Dict[str, int],\n" for i in range(6))
    new = "".join(f"+    x{i}: dict[str, int],\n" for i in range(6))
    generics = "replace typing's generics with builtins (`List` -> `list`)"
    assert describe(old + new) == Strategy(generics, "replace")


def test_rewrites_are_bucketed_by_size_not_counted_line_by_line() -> None:
    def rewrite(removed: int, added: int) -> str:
        return "".join(f"-old_{i} = f({i})\n" for i in range(removed)) + "".join(
            f"+new_{i} = g(h, {i}) + k\n" for i in range(added)
        )

    assert (
        describe(rewrite(4, 5))
        == describe(rewrite(5, 4))
        == Strategy("rewrite a few lines", "rewrite")
    )
    assert describe(rewrite(9, 12)).name == "rewrite a block"


def test_comments_whitespace_and_blank_lines_have_names_of_their_own() -> None:
    assert describe("-# -*- coding: utf-8 -*-\n").name == "delete the coding declaration"
    assert describe("-# an old note\n").name == "delete a comment"
    assert describe(" import os\n+\n def f():\n") == Strategy("add blank lines", "replace")
    assert describe("-\n-\n x = 1\n").name == "remove blank lines"
    assert describe("-x = f(a,b)\n+x = f(a, b)\n").name == "change whitespace or comments"


def test_a_signature_change_without_annotations_is_named_by_its_edit() -> None:
    diff = (
        "-    def m(self, items: List[int]) -> None:\n+    def m(self, items: list[int]) -> None:\n"
    )
    generics = "replace typing's generics with builtins (`List` -> `list`)"
    assert describe(diff) == Strategy(generics, "signature")


@pytest.mark.parametrize(
    ("diffs", "name"),
    [
        (
            ['-x = "a %s" % b\n+x = f"a {b}"\n', '-y("%s-%s" % (c, d), e)\n+y(f"{c}-{d}", e)\n'],
            "replace `%` formatting with an f-string",
        ),
        (
            [
                '-x = "{}".format(a)\n+x = f"{a}"\n',
                '-raise E("{} {}".format(b, c))\n+raise E(f"{b} {c}")\n',
            ],
            "replace `.format()` with an f-string",
        ),
        (
            [
                '-x = "%s" % a\n+x = "{}".format(a)\n',
                '-f("%d %d" % (b, c))\n+f("{} {}".format(b, c))\n',
            ],
            "replace `%` formatting with `.format()`",
        ),
        (
            [
                "-def f(x: Optional[int]):\n+def f(x: int | None):\n",
                "-y: t.Optional[Foo] = None\n+y: Foo | None = None\n",
            ],
            "replace `Optional[…]` with `… | None`",
        ),
        (
            [
                "-x: Union[int, str]\n+x: int | str\n",
                "-def g(a: Union[A, B, C]):\n+def g(a: A | B | C):\n",
            ],
            "replace `Union[…]` with `… | …`",
        ),
        (
            [
                "-x: List[int] = []\n+x: list[int] = []\n",
                "-y: Dict[str, Tuple[int, int]]\n+y: dict[str, tuple[int, int]]\n",
            ],
            "replace typing's generics with builtins (`List` -> `list`)",
        ),
    ],
)
def test_one_idea_with_any_arguments_is_one_strategy(diffs: list[str], name: str) -> None:
    assert {describe(diff).name for diff in diffs} == {name}


def test_an_edit_that_only_looks_alike_keeps_its_own_name() -> None:
    # Optional dropped for a plain None (flask deprecating an attribute) is no `| None`.
    dropped = describe("-    e: t.Optional[t.Type[E]] = None\n+    e: None = None\n").name
    assert "Optional" not in dropped
    # A string that was already an f-string, and a lowercase name that is no builtin.
    assert describe('-x = f"{a}" % b\n+x = f"{a}"\n').name == 'replace `"…" % a` with `"…"`'
    assert (
        describe("-x: List[int]\n+x: items[int]\n").name
        != describe("-x: List[int]\n+x: list[int]\n").name
    )
