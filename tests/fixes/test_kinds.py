"""The default kind of an attempt that did not name one."""

from __future__ import annotations

import pytest

from hookwise.fixes.kinds import default_kind


@pytest.mark.parametrize(
    ("strategy", "diff", "kind"),
    [
        ("silence it", "-x = f(y)\n+x = f(y)  # type: ignore[arg-type]\n", "suppress"),
        ("silence it", "+// eslint-disable-next-line no-unused-vars\n", "suppress"),
        ("drop it", "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1 @@\n-import os\n-\n", "delete"),
        ("tidy", "-import os\n+import sys\n+from pathlib import Path\n", "imports"),
        ("rename", None, "rename"),
        ("Rewrite ", "-a = 1\n+b = 2\n", "rewrite"),
        ("fix it", "-a = 1\n+a = 2\n", "unknown"),
        ("fix it", None, "unknown"),
    ],
)
def test_the_first_rule_that_applies_decides(strategy: str, diff: str | None, kind: str) -> None:
    assert default_kind(strategy, diff) == kind
