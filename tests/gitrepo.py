"""A real git repository in a temporary folder, driven like a user would.

Author and committer are set through the environment (as pre-commit's
fixtures do); dates can be fixed per commit for tests with known answers.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

BASE_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._tick = 0

    @classmethod
    def init(cls, path: Path, *, branch: str = "main") -> GitRepo:
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "-b", branch, str(path)], check=True)
        return cls(path)

    def env(self, date: str | int | None = None, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        if date is None:
            self._tick += 60
            date = f"{BASE_TIME + self._tick} +0000"
        elif isinstance(date, int):
            date = f"{date} +0000"
        env.update(
            GIT_AUTHOR_NAME=extra.pop("author_name", "Ada Lovelace"),
            GIT_AUTHOR_EMAIL=extra.pop("author_email", "ada@example.com"),
            GIT_COMMITTER_NAME=extra.pop("committer_name", "Ada Lovelace"),
            GIT_COMMITTER_EMAIL=extra.pop("committer_email", "ada@example.com"),
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_DATE=date,
        )
        env.update(extra)
        return env

    def git(
        self,
        *args: str,
        date: str | int | None = None,
        check: bool = True,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> str:
        full_env = self.env(date)
        if env:
            full_env.update(env)
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd or self.path,
            env=full_env,
            input=input,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"git {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc.stdout

    def write(self, name: str, content: str) -> None:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)

    def commit(
        self,
        message: str,
        files: Mapping[str, str] | None = None,
        *,
        date: str | int | None = None,
        **git_env: str,
    ) -> str:
        for name, content in (files or {f"file{self._tick}.txt": message + "\n"}).items():
            self.write(name, content)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date, env=git_env or None)
        return self.head()

    def commit_by(
        self, who: Mapping[str, str], message: str, files: Mapping[str, str], date: str
    ) -> str:
        """A commit authored and committed by ``who`` (``author_name``, ``author_email``)."""
        name, email = who["author_name"], who["author_email"]
        return self.commit(
            message,
            dict(files),
            date=date,
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email,
        )

    def commit_raw_zone(self, message: str, zone: str) -> str:
        """A commit on top of HEAD (same tree) dated in time zone ``zone`` as written,
        however odd (``+51800``: git keeps it; requests' history has one), on ``main``."""
        base = self.head()
        tree = self.git("rev-parse", "HEAD^{tree}").strip()
        raw = (
            f"tree {tree}\nparent {base}\n"
            f"author Ada <ada@example.com> 1313584730 {zone}\n"
            f"committer Ada <ada@example.com> 1313584730 {zone}\n\n{message}\n"
        )
        sha = self.git("hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=raw)
        self.git("update-ref", "refs/heads/main", sha.strip())
        return sha.strip()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def rev(self, rev: str) -> str:
        return self.git("rev-parse", rev).strip()
