"""A worker killed mid-capture leaves the capture "running": the periodic sweep queues it
again, or fails it for good after the configured attempts. Nothing stays running for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from qinglang.evidence import pipeline, services, tasks
from qinglang.evidence.models import Capture, CustodyEvent, StatusChange
from tests.evidence.site import Site
from tests.processes import django_command, django_env

pytestmark = pytest.mark.usefixtures("evidence_settings")
Status = Capture.Status


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(services, "enqueue_capture", sent.append)
    return sent


def claimed(user: Any, url: str, silent_for: timedelta) -> Capture:
    """A capture a worker claimed and then stopped reporting on for ``silent_for``."""
    capture = services.request_capture(user, url, "测试取证", enqueue=False)
    assert services.claim(capture.pk) is not None
    Capture.objects.filter(pk=capture.pk).update(heartbeat=timezone.now() - silent_for)
    capture.refresh_from_db()
    return capture


@pytest.mark.django_db
def test_a_silent_running_capture_is_queued_again_with_a_history_row(
    org: dict[str, Any], site: Site, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    capture = claimed(org["duty"], f"{site.base}/article", timedelta(hours=1))
    fresh = claimed(org["duty"], f"{site.base}/slow", timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_abandoned() == (1, 0)
    capture.refresh_from_db()
    fresh.refresh_from_db()
    assert capture.status == Status.QUEUED and fresh.status == Status.RUNNING
    assert queued == [capture.pk]
    change = StatusChange.objects.filter(capture=capture).latest("pk")
    assert (change.from_status, change.to_status) == (Status.RUNNING, Status.QUEUED)
    assert "停止响应" in change.reason

    services.run_capture(capture.pk)  # the next worker takes it and finishes the job
    capture.refresh_from_db()
    assert capture.status == Status.DONE and capture.outcome == Capture.Outcome.OK and capture.attempts == 2


@pytest.mark.django_db
def test_after_the_last_attempt_the_capture_fails_for_good(
    org: dict[str, Any], site: Site, queued: list[int], settings: Any
) -> None:
    settings.QINGLANG_EVIDENCE_MAX_ATTEMPTS = 1
    capture = claimed(org["duty"], f"{site.base}/article", timedelta(hours=1))
    assert tasks.recapture_due() == 0  # the periodic task runs the sweep
    capture.refresh_from_db()
    assert capture.status == Status.FAILED and capture.outcome == Capture.Outcome.INTERRUPTED
    assert "不再重试" in capture.error and queued == []
    assert capture.custody.filter(action=CustodyEvent.Action.FAILED).exists()
    assert services.verify_custody(capture) == (True, None)


@pytest.mark.django_db
def test_a_lost_attempt_that_finishes_late_does_not_overwrite_the_new_one(
    org: dict[str, Any], site: Site, queued: list[int]
) -> None:
    lost = claimed(org["duty"], f"{site.base}/article", timedelta(hours=1))
    services.recover_abandoned()
    current = services.claim(lost.pk)
    assert current is not None and current.attempts == 2
    services._finish(lost, pipeline.Result(pipeline.Outcome.UNREACHABLE, error="迟到的结果"))
    current.refresh_from_db()
    assert current.status == Status.RUNNING and current.error == ""


@pytest.mark.django_db(transaction=True)
def test_killing_the_capture_process_mid_capture_is_recovered(
    org: dict[str, Any], tmp_path: Path, settings: Any, queued: list[int]
) -> None:
    with Site(slow_seconds=30.0) as site:
        env = django_env(QINGLANG_ALLOW_PRIVATE_URLS="1", QINGLANG_EVIDENCE_TIMEOUT_SECONDS="60",
                         QINGLANG_TSA_URLS="", MEDIA_ROOT=str(settings.MEDIA_ROOT))
        worker = django_command("evidence", "capture", f"{site.base}/slow", env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not Capture.objects.filter(status=Status.RUNNING).exists():
                assert worker.poll() is None, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
                time.sleep(0.05)
            capture = Capture.objects.get(status=Status.RUNNING)
            while site.hits.get("/slow", 0) == 0 and time.monotonic() < deadline:
                time.sleep(0.05)  # the worker is inside the slow request
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.wait(timeout=30)
        time.sleep(0.2)
        capture.refresh_from_db()
        assert capture.status == Status.RUNNING  # what a dead worker leaves behind

        settings.QINGLANG_EVIDENCE_STALE_SECONDS = 0
        assert services.recover_abandoned() == (1, 0)
        site.slow_seconds = 0.2
        services.run_capture(capture.pk)
        capture.refresh_from_db()
        assert capture.status == Status.DONE and capture.package and capture.attempts == 2
