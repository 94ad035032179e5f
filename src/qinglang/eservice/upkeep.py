"""Periodic upkeep: automatic 催办 on overdue requests, erasing personal data after retention."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qinglang.audit.services import record
from qinglang.eservice.models import Reminder, ServiceRequest, WechatMessage
from qinglang.eservice.services import overdue


def flag_overdue() -> int:
    """One automatic reminder per overdue request, however often the task runs."""
    now = timezone.now()
    flagged = 0
    for pk in overdue(ServiceRequest.objects.filter(overdue_flagged_at__isnull=True), now).values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update is the claim: only one worker gets 1 back.
            if not ServiceRequest.objects.filter(pk=pk, overdue_flagged_at__isnull=True).update(overdue_flagged_at=now):
                continue
            req = ServiceRequest.objects.get(pk=pk)
            Reminder.objects.create(request=req, kind=Reminder.Kind.URGE, note="超过办理时限，系统自动催办")
            record("eservice.request.overdue", target=req, detail={"due_at": req.due_at.isoformat()})
            flagged += 1
    return flagged


def purge_expired_personal_data() -> int:
    """Erase who asked (name, phone, WeChat id, address, raw input) once retention has passed."""
    cutoff = timezone.now() - timedelta(days=settings.ESERVICE_RETENTION_DAYS)
    due = ServiceRequest.objects.filter(closed_at__lt=cutoff, purged_at__isnull=True).values_list("pk", flat=True)
    purged = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = ServiceRequest.objects.filter(pk=pk, purged_at__isnull=True).update(
                purged_at=timezone.now(), name="", phone="", phone_last4="", wechat_openid="", submitter_ip=None,
                raw="", attributes={},
            )
            if not claimed:
                continue
            WechatMessage.objects.filter(request_id=pk).update(xml="", from_user="")
            record("eservice.request.purged", target=ServiceRequest.objects.get(pk=pk),
                   detail={"retention_days": settings.ESERVICE_RETENTION_DAYS})
            purged += 1
    return purged
