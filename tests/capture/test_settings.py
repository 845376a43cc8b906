"""Settings from the environment: defaults, overrides, and bad values ignored."""

from __future__ import annotations

import pytest

from hookwise.capture import settings as config


def test_the_worker_embeds_on_one_thread_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKWISE_WORKER_EMBED_THREADS", raising=False)
    assert config.worker_embed_threads() == "1"
    monkeypatch.setenv("HOOKWISE_WORKER_EMBED_THREADS", "2")
    assert config.worker_embed_threads() == "2"


def test_versions_are_kept_an_hour_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKWISE_KEEP_VERSIONS_HOURS", raising=False)
    assert config.keep_versions_hours() == 1.0
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", "0.5")
    assert config.keep_versions_hours() == 0.5
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", "-3")
    assert config.keep_versions_hours() == 0.0
    monkeypatch.setenv("HOOKWISE_KEEP_VERSIONS_HOURS", "soon")
    assert config.keep_versions_hours() == 1.0
