"""``hookwise show`` in a terminal: a commit as ``git show --stat`` would word it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hookwise.history.show import CommitView

# A commit touching hundreds of files lists the first ones; --json lists all.
MAX_FILES_SHOWN = 20


def render_commit(view: CommitView) -> str:
    lines = [f"commit {view.sha}"]
    if len(view.parents) > 1:
        lines.append("Merge: " + " ".join(p[:10] for p in view.parents))
    lines += [f"Author: {view.author} <{view.author_email}>", f"Date:   {view.date}", ""]
    lines.append(f"    {view.subject}")
    if view.body.strip():
        lines.append("")
        lines += [f"    {line}".rstrip() for line in view.body.rstrip().splitlines()]
    lines.append("")
    against = " (against the first parent)" if len(view.parents) > 1 else ""
    lines.append(
        f" {len(view.files)} file{'s' if len(view.files) != 1 else ''} changed, "
        f"{view.insertions} insertion{'s' if view.insertions != 1 else ''}(+), "
        f"{view.deletions} deletion{'s' if view.deletions != 1 else ''}(-){against}"
    )
    shown = view.files[:MAX_FILES_SHOWN]
    width = max((len(f.path) for f in shown), default=0)
    for f in shown:
        change = "binary" if f.insertions is None else f"+{f.insertions} -{f.deletions}"
        lines.append(f"   {f.path:<{width}}  {change}")
    if len(view.files) > MAX_FILES_SHOWN:
        lines.append(f"   ... and {len(view.files) - MAX_FILES_SHOWN} more files")
    if view.query is not None:
        lines += ["", f"(result {view.rank} of the search {view.query!r})"]
    return "\n".join(lines)
