"""Background tasks of the platform itself."""

from __future__ import annotations

import os
import socket

from celery import shared_task
from django.utils import timezone

from qinglang.core.models import Heartbeat


def beat(component: str, **detail: object) -> None:
    """Record that ``component`` is alive. Idempotent: one row per component, overwritten."""
    Heartbeat.objects.update_or_create(
        component=component,
        defaults={"at": timezone.now(), "detail": {"host": socket.gethostname(), "pid": os.getpid(), **detail}},
    )


@shared_task(name="qinglang.core.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    beat("worker")
