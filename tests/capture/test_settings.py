"""Settings: every HOOKWISE_* variable parsed in one place, one line for a bad value,
and a table in docs/settings.md that cannot drift from the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hookwise.capture import locations, settings
from hookwise.capture.settings import INTERNAL_NAMES, Settings
from hookwise.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]

DEFAULTS = {
    "disable": False,
    "no_worker": False,
    "worker_idle_seconds": 600.0,
    "worker_poll_seconds": 0.25,
    "batch_events": 500,
    "compact_every": 50,
    "keep_versions_hours": 1.0,
    "maintenance_minutes": 60.0,
    "check_runs_days": 90.0,
    "worker_embed_threads": 1,
    "embedder": None,
    "embed_model": None,
    "embed_runtime": "auto",
    "embed_device": "cpu",
    "embed_threads": None,
    "embed_batch": 256,
    "sync_url": None,
    "sync_token": None,
}

# (variable, value, attribute, parsed): every variable, with a value that is not its default.
PARSED = [
    ("HOOKWISE_DISABLE", "1", "disable", True),
    ("HOOKWISE_NO_WORKER", "yes", "no_worker", True),
    ("HOOKWISE_STATE_DIR", "/var/hw", "state_dir", "/var/hw"),
    ("HOOKWISE_WORKER_IDLE", "2.5", "worker_idle_seconds", 2.5),
    ("HOOKWISE_WORKER_POLL", " 0.1 ", "worker_poll_seconds", 0.1),
    ("HOOKWISE_BATCH_EVENTS", "7", "batch_events", 7),
    ("HOOKWISE_COMPACT_EVERY", "5", "compact_every", 5),
    ("HOOKWISE_KEEP_VERSIONS_HOURS", "0", "keep_versions_hours", 0.0),
    ("HOOKWISE_MAINTENANCE_MINUTES", "0", "maintenance_minutes", 0.0),
    ("HOOKWISE_CHECK_RUNS_DAYS", "0", "check_runs_days", 0.0),
    ("HOOKWISE_WORKER_EMBED_THREADS", "2", "worker_embed_threads", 2),
    ("HOOKWISE_EMBEDDER", " hashing ", "embedder", "hashing"),
    ("HOOKWISE_EMBED_MODEL", "/models/mini", "embed_model", "/models/mini"),
    ("HOOKWISE_EMBED_RUNTIME", "NumPy", "embed_runtime", "numpy"),
    ("HOOKWISE_EMBED_DEVICE", "cuda:1", "embed_device", "cuda:1"),
    ("HOOKWISE_EMBED_THREADS", "3", "embed_threads", 3),
    ("HOOKWISE_EMBED_BATCH", "64", "embed_batch", 64),
    ("HOOKWISE_SERVER_DB", "sqlite:///agg.db", "server_db", "sqlite:///agg.db"),
    ("HOOKWISE_SYNC_URL", " http://agg:8765 ", "sync_url", "http://agg:8765"),
    ("HOOKWISE_SYNC_TOKEN", "hw_abc", "sync_token", "hw_abc"),
]

# (variable, bad value, attribute): each kind that can be wrong, and its edges.
BAD = [
    ("HOOKWISE_WORKER_IDLE", "banana", "worker_idle_seconds"),
    ("HOOKWISE_WORKER_IDLE", "-1", "worker_idle_seconds"),
    ("HOOKWISE_WORKER_IDLE", "nan", "worker_idle_seconds"),
    ("HOOKWISE_WORKER_POLL", "0", "worker_poll_seconds"),
    ("HOOKWISE_WORKER_POLL", "inf", "worker_poll_seconds"),
    ("HOOKWISE_KEEP_VERSIONS_HOURS", "soon", "keep_versions_hours"),
    ("HOOKWISE_KEEP_VERSIONS_HOURS", "-3", "keep_versions_hours"),
    ("HOOKWISE_MAINTENANCE_MINUTES", "hourly", "maintenance_minutes"),
    ("HOOKWISE_CHECK_RUNS_DAYS", "-1", "check_runs_days"),
    ("HOOKWISE_BATCH_EVENTS", "0", "batch_events"),
    ("HOOKWISE_COMPACT_EVERY", "2.5", "compact_every"),
    ("HOOKWISE_WORKER_EMBED_THREADS", "two", "worker_embed_threads"),
    ("HOOKWISE_EMBED_THREADS", "0", "embed_threads"),
    ("HOOKWISE_EMBED_BATCH", "-5", "embed_batch"),
    ("HOOKWISE_EMBED_RUNTIME", "onnx", "embed_runtime"),
]


def test_defaults() -> None:
    found = Settings({})
    assert {name: getattr(found, name) for name in DEFAULTS} == DEFAULTS


def test_empty_counts_as_unset() -> None:
    empty = Settings({name: "" for name, *_ in PARSED})
    assert {name: getattr(empty, name) for name in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(("variable", "value", "attribute", "parsed"), PARSED)
def test_each_variable_is_parsed(variable: str, value: str, attribute: str, parsed: object) -> None:
    assert getattr(Settings({variable: value}), attribute) == parsed


def test_every_variable_is_parsed_by_a_test_above() -> None:
    assert sorted(name for name, *_ in PARSED) == sorted(v[0] for v in Settings({}).variables)


def test_the_environment_is_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKWISE_BATCH_EVENTS", "9")
    assert Settings().batch_events == 9


@pytest.mark.parametrize(("variable", "value", "attribute"), BAD)
def test_a_bad_value_is_one_line_naming_it(variable: str, value: str, attribute: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings({variable: value})
    message = str(caught.value)
    accepts = {name: accepts for name, accepts, _ in Settings({}).variables}[variable]
    assert "\n" not in message
    assert message.startswith(f"{variable} must be {accepts}, not {value!r}; ")


@pytest.mark.parametrize(("variable", "value", "attribute"), BAD)
def test_a_bad_value_can_be_collected_instead(variable: str, value: str, attribute: str) -> None:
    """What the capture hook does: note the problem, carry on with the default."""
    problems: list[str] = []
    found = Settings({variable: value, "HOOKWISE_EMBED_MODEL": "/models/mini"}, problems)
    assert getattr(found, attribute) == getattr(Settings({}), attribute)
    assert found.embed_model == "/models/mini"  # the others are still read
    assert len(problems) == 1
    assert problems[0].startswith(f"{variable} must be ")


def test_the_first_bad_value_is_the_one_raised_and_all_are_collected() -> None:
    environ = {"HOOKWISE_WORKER_IDLE": "x", "HOOKWISE_EMBED_BATCH": "y"}
    with pytest.raises(SettingsError, match=r"^HOOKWISE_WORKER_IDLE"):
        Settings(environ)
    problems: list[str] = []
    Settings(environ, problems)
    assert [p.split()[0] for p in problems] == ["HOOKWISE_WORKER_IDLE", "HOOKWISE_EMBED_BATCH"]


@pytest.mark.parametrize(("value", "on"), [("", False), ("0", False), ("1", True), (" 0", True)])
def test_a_switch_reads_as_the_shim_reads_it(value: str, on: bool) -> None:
    """``case ${HOOKWISE_DISABLE:-0} in 0)``: only unset, empty and exactly 0 are off."""
    assert Settings({"HOOKWISE_DISABLE": value}).disable is on
    assert Settings({"HOOKWISE_NO_WORKER": value}).no_worker is on


@pytest.mark.parametrize(
    ("explicit", "xdg", "expected"),
    [
        ("/s", "/x", "/s"),
        ("", "/x", "/x/hookwise"),
        ("", "", "/home/someone/.local/state/hookwise"),
    ],
)
def test_state_dir(monkeypatch: pytest.MonkeyPatch, explicit: str, xdg: str, expected: str) -> None:
    monkeypatch.setenv("HOOKWISE_STATE_DIR", explicit)
    monkeypatch.setenv("XDG_STATE_HOME", xdg)
    monkeypatch.setenv("HOME", "/home/someone")
    assert Settings().state_dir == settings.state_dir() == expected
    assert locations.state_dir() == Path(expected)


def test_a_command_prints_a_bad_setting_in_one_line_and_exits_1(state_dir: Path) -> None:
    env = {**os.environ, "HOOKWISE_WORKER_IDLE": "banana"}
    proc = subprocess.run(
        [sys.executable, "-m", "hookwise", "worker", "--foreground"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("hookwise: HOOKWISE_WORKER_IDLE must be a number of seconds")
    assert proc.stderr.count("\n") == 1
    assert not (state_dir / "worker.pid").exists()  # stopped before it took the lock


# --- docs that cannot drift ---------------------------------------------------

TABLE_ROW = re.compile(r"^\| `(HOOKWISE_[A-Z_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$")


def documented() -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = [TABLE_ROW.match(line) for line in text.splitlines()]
    return [(m[1], m[2].strip(), m[3].strip()) for m in rows if m]


def test_docs_list_every_variable_with_what_it_accepts_and_its_default() -> None:
    assert documented() == list(Settings({}).variables)


def test_capture_docs_link_the_settings() -> None:
    assert "(settings.md)" in (ROOT / "docs" / "capture.md").read_text(encoding="utf-8")


def test_every_hookwise_name_in_the_code_is_a_setting_or_internal() -> None:
    """A variable read anywhere but in settings would be missing from the table."""
    sources = [*(ROOT / "src" / "hookwise").rglob("*.py"), ROOT / "hooks" / "shim.sh"]
    names = set()
    for source in sources:
        names |= set(re.findall(r"HOOKWISE_[A-Z_]*[A-Z]", source.read_text(encoding="utf-8")))
    known = {name for name, _, _ in Settings({}).variables}
    assert names - known - set(INTERNAL_NAMES) == set()
    assert set(INTERNAL_NAMES) <= names  # none listed that no longer exists
