"""Where ``hookwise sync`` sends, with what token, how often, and whether code goes along.

The repository's configuration holds what the whole team shares, in
hookwise's table (``[tool.hookwise.sync]`` in ``pyproject.toml``, or
``sync = {...}`` in ``.hookwise.toml``, the same file ``hookwise check``
reads)::

    [tool.hookwise.sync]
    url = "https://hookwise.example.com"
    schedule_minutes = 60          # the worker syncs this often (off when absent)
    include_code = false           # fix patterns carry a code example only when true
    token_file = "~/.config/hookwise/token"   # outside the repository
    repo = "flask"                 # the name at the aggregator (default: origin's)

A ``token`` key is refused: a file inside the repository is committed,
pushed and read by everyone who clones it, and a bearer token there is a
token given away. The token comes from the environment
(``HOOKWISE_SYNC_TOKEN``), from the command line, or from ``token_file``,
which must lie outside the repository.

Precedence, first found wins: the command line, then the environment
(``HOOKWISE_SYNC_URL``, ``HOOKWISE_SYNC_TOKEN``), then this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hookwise.capture.settings import Settings
from hookwise.checks.config import hookwise_table
from hookwise.errors import CheckConfigError, SyncConfigError

KEYS = ("url", "schedule_minutes", "include_code", "token_file", "repo")


@dataclass(frozen=True)
class SyncConfig:
    url: str | None = None
    schedule_minutes: float | None = None  # None: the worker never syncs on its own
    include_code: bool = False
    token_file: Path | None = None
    repo: str | None = None


@dataclass(frozen=True)
class Target:
    """Where one sync goes: the aggregator's base URL and the token it is sent."""

    url: str
    token: str


def load_sync_config(root: Path) -> SyncConfig:
    """The sync table of the worktree whose top folder is ``root`` (defaults without one).

    Raises ``SyncConfigError`` naming the file and the key that is wrong.
    """
    try:
        found = hookwise_table(root)
    except CheckConfigError as exc:
        raise SyncConfigError(exc.problems[0]) from exc
    if found is None or found[1].get("sync") is None:
        return SyncConfig()
    path, table, where = found
    place = f"{path.name}: {where}sync"
    sync = table["sync"]
    if not isinstance(sync, dict):
        raise SyncConfigError(f'{place}: must be a table such as {{ url = "..." }}')
    if "token" in sync:
        raise SyncConfigError(
            f"{place}.token: a token must never be written into the repository (everyone "
            "who clones it could push as you); remove it and set HOOKWISE_SYNC_TOKEN, or "
            'token_file = "~/..." naming a file outside the repository'
        )
    for key in sync:
        if key not in KEYS:
            raise SyncConfigError(f"{place}.{key}: unknown key (the keys are: {', '.join(KEYS)})")
    return SyncConfig(
        url=_url(sync.get("url"), f"{place}.url"),
        schedule_minutes=_minutes(sync.get("schedule_minutes"), f"{place}.schedule_minutes"),
        include_code=_flag(sync.get("include_code", False), f"{place}.include_code"),
        token_file=_token_file(sync.get("token_file"), root, f"{place}.token_file"),
        repo=_text(sync.get("repo"), f"{place}.repo"),
    )


def resolve_target(
    root: Path,
    *,
    url: str | None = None,
    token: str | None = None,
    settings: Settings | None = None,
) -> tuple[str | None, str | None]:
    """The URL and token: given values first, then the environment, then the configuration.

    Either may be None when nothing provides it; the caller says which
    way to give it (a flag on the command line, the environment in the worker).
    """
    settings = settings or Settings()
    config = load_sync_config(root)
    found_url = url or settings.sync_url or config.url
    found_token = token or settings.sync_token
    if not found_token and config.token_file is not None:
        found_token = read_token_file(config.token_file)
    return (_url(found_url, "the aggregator's URL") if found_url else None), found_token or None


def read_token_file(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SyncConfigError(
            f"the token file {path} cannot be read ({exc.strerror}); check the path in "
            "token_file, or set HOOKWISE_SYNC_TOKEN instead"
        ) from exc
    if not token:
        raise SyncConfigError(f"the token file {path} is empty; write the token into it")
    return token


def _url(value: Any, place: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip().startswith(("http://", "https://")):
        raise SyncConfigError(
            f"{place}: {value!r} is not an aggregator URL; write it as http://HOST:PORT "
            "or https://HOST"
        )
    return value.strip().rstrip("/")


def _minutes(value: Any, place: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise SyncConfigError(f"{place}: must be a number of minutes above 0, not {value!r}")
    return float(value)


def _flag(value: Any, place: str) -> bool:
    if not isinstance(value, bool):
        raise SyncConfigError(f"{place}: must be true or false, not {value!r}")
    return value


def _text(value: Any, place: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SyncConfigError(f"{place}: must be a non-empty string, not {value!r}")
    return value.strip()


def _token_file(value: Any, root: Path, place: str) -> Path | None:
    text = _text(value, place)
    if text is None:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = root / path
    resolved, top = path.resolve(), root.resolve()
    if resolved == top or top in resolved.parents:
        raise SyncConfigError(
            f"{place}: {text!r} lies inside the repository, where it would be committed; "
            "keep the token file outside it (such as ~/.config/hookwise/token)"
        )
    return resolved
