"""Histories built in one ``git fast-import``, for tests that need many commits."""

from __future__ import annotations

from tests.gitrepo import GitRepo


def make_history(repo: GitRepo, n: int) -> list[str]:
    """n commits on main, each the parent of the next; oldest first."""
    lines = []
    for i in range(n):
        lines += [
            "commit refs/heads/main",
            f"mark :{i + 1}",
            f"committer Ada <ada@example.com> {1_700_000_000 + i * 60} +0000",
            f"data {len(f'commit {i}')}",
            f"commit {i}",
        ]
        if i:
            lines.append(f"from :{i}")
        lines += [f"M 644 inline f{i}.txt", f"data {len(str(i))}", str(i), ""]
    repo.git("fast-import", "--quiet", input="\n".join(lines) + "\n")
    return repo.git("rev-list", "--reverse", "main").split()
