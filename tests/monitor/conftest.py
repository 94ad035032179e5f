"""Fixtures of the monitor tests: a quiet task queue, private snapshot folder, watched names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qinglang.monitor import fetch, processing, tasks
from qinglang.monitor.models import WatchedAlias, WatchedEntity


@pytest.fixture(autouse=True)
def monitor_settings(settings: Any, tmp_path: Path) -> None:
    settings.MONITOR_SNAPSHOT_DIR = tmp_path / "snapshots"
    settings.MONITOR_FETCH_HOST_INTERVAL = 0
    settings.QINGLANG_ALLOW_PRIVATE_URLS = True
    settings.MONITOR_ALERT_WEBHOOKS = []
    settings.MONITOR_ALERT_EMAILS = []
    processing.forget_engines()
    fetch.forget_robots()


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """Tasks the code under test sends, recorded instead of going to a broker."""
    sent: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: sent.append((task.name, args)))
    return sent


@pytest.fixture
def watched(db: None) -> Callable[..., WatchedEntity]:
    def make(name: str, *aliases: str, type: str = "enterprise") -> WatchedEntity:
        entity = WatchedEntity.objects.create(name=name, type=type)
        for alias in aliases:
            WatchedAlias.objects.create(entity=entity, alias=alias)
        return entity

    return make
