"""What HEAD's tree holds."""

from __future__ import annotations

from pathlib import Path

from hookwise.errors import GitError
from hookwise.git.runner import git


def existing_at_head(repo: Path, paths: list[str]) -> set[str]:
    """Which of ``paths`` exist in HEAD's tree (renamed and deleted files are no hotspots)."""
    if not paths:
        return set()
    try:
        out = git(
            "cat-file",
            "--batch-check",
            cwd=repo,
            input="".join(f"HEAD:{p}\n" for p in paths).encode(),
        )
    except GitError:
        return set(paths)  # an unborn HEAD: nothing to compare with, keep them all
    lines = out.decode("utf-8", errors="replace").splitlines()
    return {p for p, line in zip(paths, lines, strict=False) if not line.endswith(" missing")}
