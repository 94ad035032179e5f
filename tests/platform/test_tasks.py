"""Background work through a real broker and worker: the file-system broker by default, Redis
when CELERY_BROKER_URL says so (CI runs both)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from qinglang.celery import app, ensure_broker_folders


@app.task(name="tests.write_marker")
def write_marker(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


@pytest.mark.broker
def test_task_travels_through_the_broker_to_a_worker(tmp_path: Path) -> None:
    ensure_broker_folders()
    marker = tmp_path / "done.txt"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        write_marker.delay(str(marker), f"经由 {settings.CELERY_BROKER_URL.split(':')[0]}")
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert marker.read_text(encoding="utf-8").startswith("经由")


def test_broker_is_chosen_by_one_variable() -> None:
    assert settings.CELERY_BROKER_URL.split(":")[0] in {"filesystem", "redis", "rediss"}
