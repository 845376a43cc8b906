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


def make_roots(repo: GitRepo, n: int, prefix: str = "root") -> list[str]:
    """n root commits, one per branch ``<prefix>-<i>``: none reaches another,
    so ingesting one adds that commit alone."""
    lines = []
    for i in range(n):
        message = f"{prefix} {i}"
        lines += [
            f"commit refs/heads/{prefix}-{i}",
            f"committer Ada <ada@example.com> {1_700_000_000 + i * 60} +0000",
            f"data {len(message)}",
            message,
            f"M 644 inline {prefix}-{i}.txt",
            f"data {len(str(i))}",
            str(i),
            "",
        ]
    repo.git("fast-import", "--quiet", input="\n".join(lines) + "\n")
    listed = repo.git("for-each-ref", "--format=%(refname) %(objectname)", f"refs/heads/{prefix}-*")
    by_ref = dict(line.split() for line in listed.splitlines())
    return [by_ref[f"refs/heads/{prefix}-{i}"] for i in range(n)]
