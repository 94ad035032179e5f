"""The Celery application. Workers start with ``celery -A qinglang.celery worker``."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinglang.settings")

app = Celery("qinglang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The file-system broker needs its folders before the first message is sent."""
    from django.conf import settings

    if not str(settings.CELERY_BROKER_URL).startswith("filesystem"):
        return
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            Path(str(folder)).mkdir(parents=True, exist_ok=True)
