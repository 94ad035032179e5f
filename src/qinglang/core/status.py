"""What the dashboard and health check report about the platform's own parts."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from qinglang.core.models import Heartbeat

COMPONENTS = ("worker", "scheduler")


def component_status() -> list[dict[str, Any]]:
    beats = {hb.component: hb for hb in Heartbeat.objects.filter(component__in=COMPONENTS)}
    now = timezone.now()
    result = []
    for name in COMPONENTS:
        hb = beats.get(name)
        result.append(
            {
                "component": name,
                "alive": bool(hb and hb.alive),
                "last_seen": hb.at if hb else None,
                "age_seconds": int((now - hb.at).total_seconds()) if hb else None,
            }
        )
    return result


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:  # noqa: BLE001 - any failure means "not ok" to a health check
        return False
