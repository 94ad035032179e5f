"""Alerts (预警): rules that raise them, the duty officer's state machine, and delivery.

Raising happens inside the processing transaction, so an alert exists exactly when the document
that caused it is stored. Delivery (mail, group-robot webhooks) runs after commit as a task.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinglang.audit.services import record
from qinglang.monitor.models import (
    Alert,
    AlertRule,
    AlertStatus,
    AlertTransition,
    Document,
    Event,
    RuleKind,
    level_rank,
)
from qinglang.org.models import Role, User

log = logging.getLogger(__name__)
LEVEL_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}

# The state machine (STYLE §3): from-status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    AlertStatus.NEW: frozenset({AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED, AlertStatus.DISMISSED}),
    AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.ESCALATED, AlertStatus.DISMISSED}),
    AlertStatus.ESCALATED: frozenset({AlertStatus.ACKNOWLEDGED, AlertStatus.DISMISSED}),
    AlertStatus.DISMISSED: frozenset(),
}
OPEN = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)
NEEDS_REASON = frozenset({AlertStatus.DISMISSED, AlertStatus.ESCALATED})


class AlertStateError(Exception):
    """A move the state machine does not allow, or one another user made first."""


def set_status(alert: Alert, to: str, *, actor: Any = None, reason: str = "") -> Alert:
    """Move ``alert`` to ``to``; a history row and an audit entry record every change."""
    if to not in TRANSITIONS.get(alert.status, frozenset()):
        raise AlertStateError(
            _("An alert that is “%(from)s” cannot become “%(to)s”.")
            % {"from": AlertStatus(alert.status).label, "to": AlertStatus(to).label}
        )
    if to in NEEDS_REASON and not reason.strip():
        raise AlertStateError(_("Please give a reason."))
    now = timezone.now()
    with transaction.atomic():
        # Conditional update: if someone else moved it since we read it, we do not overwrite.
        moved = Alert.objects.filter(pk=alert.pk, status=alert.status).update(status=to, status_changed=now)
        if not moved:
            raise AlertStateError(_("Someone else changed this alert first; reload the page."))
        actor_user = actor if getattr(actor, "is_authenticated", False) else None
        AlertTransition.objects.create(
            alert=alert, actor=actor_user, from_status=alert.status, to_status=to, reason=reason.strip()
        )
        record(f"monitor.alert.{to}", actor=actor_user, target=alert,
               detail={"from": alert.status, "to": to, "reason": reason.strip()})
    alert.status, alert.status_changed = to, now
    return alert


def fold(event: Event, actor: Any, why: str) -> None:
    """After an analyst merged events: one open alert per event again.  The newest open one
    takes the others' rules, reasons and highest level; they are dismissed, saying where they
    went; every alert's title names the event as it is now."""
    open_alerts = list(Alert.objects.filter(event=event, status__in=OPEN).order_by("-created", "-pk"))
    if open_alerts:
        keeper = open_alerts[0]
        for other in open_alerts[1:]:
            keeper.keys = sorted({*keeper.keys, *other.keys})
            keeper.reasons = [*keeper.reasons, *other.reasons][-20:]
            if level_rank(other.level) > level_rank(keeper.level):
                keeper.level = other.level
            set_status(other, AlertStatus.DISMISSED, actor=actor, reason=f"{why}，预警并入 #{keeper.pk}")
        keeper.save(update_fields=["keys", "reasons", "level"])
    for alert in Alert.objects.filter(event=event):
        title = _title(alert.level, event)
        if alert.title != title:
            alert.title = title
            alert.save(update_fields=["title"])


# -- raising ----------------------------------------------------------------------------------


def _rule_fires(rule: AlertRule, doc: Document, event: Event) -> str | None:
    """The reason ``rule`` fires on this document, or None."""
    if rule.kind == RuleKind.ENTITY_NEGATIVE and rule.entity is not None:
        name = rule.entity.name
        named = any(e.get("name") == name for e in doc.entities)
        # about it, not about whoever else the text names; read as alarm_about says
        tone = doc.alarm_about(name)
        if named and tone <= -rule.negativity:
            if doc.lower_alarm(name) is not None:   # say why an item that reads well still alerts
                return f"{name} 负面报道（倾向 {tone:.2f}；按辟谣、整改等转折读为 {doc.tone_about(name):+.2f}，请核实）"
            return f"{name} 负面报道（倾向 {tone:.2f}）"
    elif rule.kind == RuleKind.CATEGORY and rule.category:
        hits = [c for c in doc.categories if c == rule.category or c.startswith(rule.category + ".")]
        if hits:
            return f"命中危害类别 {'、'.join(hits)}"
    elif rule.kind == RuleKind.BURST and rule.min_size and event.size >= rule.min_size:
        return f"事件规模达到 {event.size} 条（阈值 {rule.min_size}）"
    elif rule.kind == RuleKind.KEYWORD and rule.keyword and rule.keyword in f"{doc.title} {doc.text}":
        return f"命中关键词“{rule.keyword}”"
    return None


def _title(level: str, event: Event) -> str:
    return f"{LEVEL_ZH.get(level, level)}预警：{event.label}"[:300]


def _merge(alert: Alert, key: str, level: str, reason: str) -> None:
    """Another rule (or a worse document) on an open alert: note it, raise the level if higher."""
    worse = level_rank(level) > level_rank(alert.level)
    if key in alert.keys and not worse:
        return
    alert.keys = sorted({*alert.keys, key})
    alert.reasons = [*alert.reasons, reason][-20:]
    if worse:
        alert.level, alert.title = level, _title(level, alert.event)
        record("monitor.alert.raised_level", actor=None, target=alert, detail={"level": level, "reason": reason})
    alert.save(update_fields=["keys", "reasons", "level", "title"])


def _raise(event: Event, key: str, rule: AlertRule | None, level: str, reason: str) -> Alert | None:
    """One alert per event while it is open. Once dismissed, only a higher level raises anew:
    the officer has judged the event at the level it had."""
    # the open one, if any, even when a dismissed one is newer (events merged by an analyst
    # bring their alerts along); else the newest: one query either way
    is_open = ExpressionWrapper(Q(status__in=OPEN), output_field=BooleanField())
    latest = Alert.objects.filter(event=event).order_by(is_open.desc(), "-created", "-pk").first()
    if latest is not None and latest.status in OPEN:
        _merge(latest, key, level, reason)
        return None
    if latest is not None and level_rank(level) <= level_rank(latest.level):
        return None
    alert = Alert.objects.create(event=event, rule_key=key, keys=[key], rule=rule, level=level,
                                 title=_title(level, event), reasons=[reason], department_id=event.department_id)
    record("monitor.alert.raised", actor=None, target=alert, detail={"level": level, "reason": reason})
    transaction.on_commit(lambda: _queue_delivery(alert.pk))
    return alert


def evaluate(docs: Iterable[Document], events: Mapping[str, Event]) -> list[Alert]:
    """Apply the engine's own level and the office's rules to freshly processed documents."""
    rules = list(AlertRule.objects.filter(enabled=True).select_related("entity"))
    minimum = level_rank(settings.MONITOR_ALERT_MIN_LEVEL)
    raised: list[Alert] = []
    for doc in docs:
        event = doc.event
        if event is None:
            continue
        event = events.get(event.engine_id, event)
        candidates: list[tuple[str, AlertRule | None, str, str]] = []
        if minimum >= 0 and level_rank(doc.risk_level) >= minimum:
            candidates.append(("risk", None, doc.risk_level, "；".join(doc.risk_reasons[:4]) or "风险等级"))
        for office_rule in rules:
            reason = _rule_fires(office_rule, doc, event)
            if reason:
                candidates.append((f"rule:{office_rule.pk}", office_rule, office_rule.level,
                                   f"{office_rule.name}：{reason}"))
        for key, rule, level, reason in candidates:
            alert = _raise(event, key, rule, level, reason)
            if alert is not None:
                raised.append(alert)
    return raised


def escalate_overdue(now: Any = None) -> int:
    """Escalate alerts nobody acknowledged in time (the scheduler calls this every minute)."""
    minutes = settings.MONITOR_ALERT_ESCALATE_MINUTES
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    count = 0
    for alert in Alert.objects.filter(status=AlertStatus.NEW, created__lt=cutoff):
        try:
            set_status(alert, AlertStatus.ESCALATED, reason=f"{minutes} 分钟内无人确认，自动升级")
            count += 1
        except AlertStateError:
            continue  # acknowledged meanwhile: nothing to do
    return count


# -- delivery ---------------------------------------------------------------------------------


def _queue_delivery(alert_id: int) -> None:
    from qinglang.monitor import tasks

    tasks.enqueue(tasks.deliver_alert, alert_id)


def message_text(alert: Alert) -> str:
    lines = [f"### {alert.title}", f"- 等级：{LEVEL_ZH.get(alert.level, alert.level)}",
             f"- 事件规模：{alert.event.size} 条"]
    lines += [f"- {reason}" for reason in alert.reasons[:5]]
    return "\n".join(lines)


def webhook_payload(url: str, alert: Alert) -> dict[str, Any]:
    """企业微信 and 钉钉 group robots both take markdown; 钉钉 also wants a title."""
    text = message_text(alert)
    if "dingtalk" in (urlsplit(url).hostname or ""):
        return {"msgtype": "markdown", "markdown": {"title": alert.title[:60], "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post_webhook(url: str, alert: Alert) -> None:
    body = json.dumps(webhook_payload(url, alert), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the office configures these URLs
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=settings.MONITOR_FETCH_TIMEOUT) as response:  # noqa: S310
        response.read(65536)


def mail_recipients() -> list[str]:
    if settings.MONITOR_ALERT_EMAILS:
        return list(settings.MONITOR_ALERT_EMAILS)
    officers = User.objects.filter(role=Role.DUTY_OFFICER, is_active=True).exclude(email="")
    return list(officers.values_list("email", flat=True))


def deliver(alert: Alert) -> list[str]:
    """Send the alert out; returns what failed (each channel is tried independently)."""
    failed: list[str] = []
    recipients = mail_recipients()
    if recipients:
        try:
            send_mail(alert.title, message_text(alert), None, recipients)
        except Exception as error:  # noqa: BLE001 - the other channels still go out
            failed.append(f"mail: {error}")
    for url in settings.MONITOR_ALERT_WEBHOOKS:
        try:
            post_webhook(url, alert)
        except Exception as error:  # noqa: BLE001
            failed.append(f"{urlsplit(url).hostname}: {error}")
    record("monitor.alert.delivered", actor=None, target=alert,
           detail={"mail": len(recipients), "webhooks": len(settings.MONITOR_ALERT_WEBHOOKS), "failed": failed})
    return failed
