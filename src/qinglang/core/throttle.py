"""Throttling counted from the audit log itself.

Failed logins and failed public look-ups are already recorded in the (shared, persistent) audit
chain, so counting them there works across web processes and restarts without a separate store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from qinglang.audit.models import AuditEntry

# One address may try several user names; allow it more attempts than one user name gets.
PER_ADDRESS_FACTOR = 4


def audited_too_often(action: str, *, limit: int, window_seconds: int, **filters: Any) -> bool:
    """Whether ``action`` was recorded ``limit`` times or more in the last ``window_seconds``
    for the rows matching ``filters`` (e.g. ``ip=...`` or ``detail__username=...``)."""
    since = timezone.now() - timedelta(seconds=window_seconds)
    return AuditEntry.objects.filter(action=action, at__gte=since, **filters).count() >= limit


def login_blocked(username: str, ip: str | None) -> bool:
    limit, window = settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW_SECONDS
    if audited_too_often("auth.login_failed", limit=limit, window_seconds=window, detail__username=username):
        return True
    return bool(ip) and audited_too_often(
        "auth.login_failed", limit=limit * PER_ADDRESS_FACTOR, window_seconds=window, ip=ip
    )
