"""`hookwise serve` and its tokens, as a user types them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the server extra")


def hookwise(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hookwise", *args], capture_output=True, text=True)


def test_token_create_prints_the_token_last_and_it_works(tmp_path: Path) -> None:
    from hookwise.server import database, tokens

    db = f"sqlite:///{tmp_path / 'agg.db'}"
    created = hookwise("serve", "token", "create", "--team", "core", "--repo", "api", "--db", db)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.split()[-1]
    assert secret.startswith("hw_")
    found = tokens.scope(database.engine_for(db), secret)
    assert found is not None and (found.team, found.repo) == ("core", "api")

    listed = hookwise("serve", "token", "list", "--db", db)
    assert "core  api" in listed.stdout and secret not in listed.stdout
    assert hookwise("serve", "token", "revoke", "1", "--db", db).returncode == 0
    again = hookwise("serve", "token", "revoke", "1", "--db", db)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "no live token 1" in again.stderr


def test_bad_names_and_urls_are_one_line(tmp_path: Path) -> None:
    bad_team = hookwise(
        "serve", "token", "create", "--team", "a b", "--db", f"sqlite:///{tmp_path}/x.db"
    )
    assert bad_team.returncode == 2 and "team name 'a b'" in bad_team.stderr
    bad_url = hookwise("serve", "--db", "mysql://h/db")
    assert bad_url.returncode == 2
    assert bad_url.stderr.startswith("hookwise: --db: ") and bad_url.stderr.count("\n") == 1


def test_without_the_extra_it_says_how_to_install_it() -> None:
    blocked = (
        "import sys; sys.modules['fastapi'] = None; sys.argv = ['hookwise', 'serve']; "
        "from hookwise.cli import run; run()"
    )
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "hookwise: hookwise serve needs the 'server' extra; "
        "install it with: pip install 'hookwise[server]'"
    )


def test_sqlite_refuses_several_workers_in_one_line(tmp_path: Path) -> None:
    refused = hookwise("serve", "--workers", "2", "--db", f"sqlite:///{tmp_path}/x.db")
    assert refused.returncode == 2
    assert refused.stderr.startswith("hookwise: --workers: SQLite serves one process, not 2")
    assert refused.stderr.count("\n") == 1
