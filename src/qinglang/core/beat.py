"""The scheduler (celery beat) with a heartbeat of its own.

The worker's heartbeat shows tasks are being run; this one shows tasks are being scheduled, so
the dashboard can tell which of the two has stopped.
"""

from __future__ import annotations

import time
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings


class HeartbeatScheduler(PersistentScheduler):
    _last_beat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        now = time.monotonic()
        if now - self._last_beat >= settings.HEARTBEAT_INTERVAL_SECONDS:
            self._last_beat = now
            from django.db import close_old_connections

            from qinglang.core.tasks import beat

            close_old_connections()
            beat("scheduler")
        # Wake at least once per heartbeat interval even when no task is due.
        return min(interval, float(settings.HEARTBEAT_INTERVAL_SECONDS))
