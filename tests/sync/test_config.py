"""The sync configuration: precedence, and a token never read from the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.capture.settings import Settings
from hookwise.errors import SyncConfigError
from hookwise.sync.config import SyncConfig, load_sync_config, resolve_target


def test_defaults_without_a_table(tmp_path: Path) -> None:
    assert load_sync_config(tmp_path) == SyncConfig()
    (tmp_path / "pyproject.toml").write_text("[tool.hookwise]\nrecheck = false\n")
    assert load_sync_config(tmp_path) == SyncConfig()


def test_the_table_read(tmp_path: Path) -> None:
    token = tmp_path.parent / f"{tmp_path.name}-token"
    token.write_text("hw_from_file\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.hookwise.sync]\n"
        'url = "https://agg.example.com/"\n'
        "schedule_minutes = 15\n"
        "include_code = true\n"
        f'token_file = "{token}"\n'
        'repo = "api"\n'
    )
    assert load_sync_config(tmp_path) == SyncConfig(
        "https://agg.example.com", 15.0, True, token.resolve(), "api"
    )
    assert resolve_target(tmp_path, settings=Settings({})) == (
        "https://agg.example.com",
        "hw_from_file",
    )
    # The environment wins over the file, and a given value over both.
    env = Settings({"HOOKWISE_SYNC_URL": "http://env:1", "HOOKWISE_SYNC_TOKEN": "hw_env"})
    assert resolve_target(tmp_path, settings=env) == ("http://env:1", "hw_env")
    given = resolve_target(tmp_path, url="http://flag:2", token="hw_flag", settings=env)
    assert given == ("http://flag:2", "hw_flag")


def test_own_file_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.hookwise.sync]\nurl = "http://a:1"\n')
    (tmp_path / ".hookwise.toml").write_text('sync = { url = "http://b:2" }\n')
    assert load_sync_config(tmp_path).url == "http://b:2"


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('token = "hw_secret"', "sync.token: a token must never be written into the repository"),
        (
            'token_file = "secrets/token"',
            "sync.token_file: 'secrets/token' lies inside the repository",
        ),
        ("schedule_minutes = 0", "sync.schedule_minutes: must be a number of minutes above 0"),
        ('include_code = "yes"', "sync.include_code: must be true or false"),
        ('url = "agg:8765"', "sync.url: 'agg:8765' is not an aggregator URL"),
        ("urls = []", "sync.urls: unknown key"),
    ],
)
def test_a_bad_table_is_one_line(tmp_path: Path, table: str, says: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.hookwise.sync]\n{table}\n")
    with pytest.raises(SyncConfigError) as caught:
        load_sync_config(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"pyproject.toml: [tool.hookwise] {says}")
    assert "\n" not in message and "hw_secret" not in message


def test_a_missing_token_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path.parent / f"{tmp_path.name}-none"
    (tmp_path / "pyproject.toml").write_text(f'[tool.hookwise.sync]\ntoken_file = "{missing}"\n')
    with pytest.raises(SyncConfigError, match="cannot be read"):
        resolve_target(tmp_path, settings=Settings({}))
