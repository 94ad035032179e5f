"""Login throttling, counted from the audit log itself.

Failed logins are already recorded in the (shared, persistent) audit chain, so counting them
there works across web processes and restarts without a separate store.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from qinglang.audit.models import AuditEntry

# One address may try several user names; allow it more attempts than one user name gets.
PER_ADDRESS_FACTOR = 4


def _recent_failures() -> QuerySet[AuditEntry]:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return AuditEntry.objects.filter(action="auth.login_failed", at__gte=since)


def login_blocked(username: str, ip: str | None) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    if _recent_failures().filter(detail__username=username).count() >= limit:
        return True
    return bool(ip) and _recent_failures().filter(ip=ip).count() >= limit * PER_ADDRESS_FACTOR
