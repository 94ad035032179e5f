"""Alerts: rules raise them, the state machine moves them, overdue ones escalate, delivery."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qinglang.audit.models import AuditEntry
from qinglang.monitor import alerts
from qinglang.monitor.alerts import AlertStateError, set_status
from qinglang.monitor.ingest import source_named, store_batch
from qinglang.monitor.models import Alert, AlertRule, AlertStatus, Document, Event, Mention, RuleKind
from qinglang.monitor.processing import process_partition

EXTORTION = "有自媒体账号发布海澄物流负面文章后，向企业索要删帖费和公关费，否则继续发布。"


_ids = itertools.count()


def feed(*texts: str) -> None:
    rows = []
    for text in texts:
        n = next(_ids)
        rows.append({"id": f"t{n}", "text": text, "time": 1_764_000_000 + n * 60})
    store_batch(source_named("测试源"), rows, channel="test")
    process_partition("zh")


@pytest.fixture
def alert(org: dict[str, Any], watched: Any, settings: Any) -> Alert:
    settings.MONITOR_ALERT_MIN_LEVEL = "off"  # only the office's rule below
    watched("海澄物流")
    AlertRule.objects.create(name="删帖勒索", kind=RuleKind.CATEGORY, category="EXTORT", level="orange")
    feed(EXTORTION)
    return Alert.objects.get()


def test_rules_raise_one_alert_per_event(alert: Alert) -> None:
    assert alert.level == "orange" and alert.status == AlertStatus.NEW
    assert "删帖勒索" in alert.reasons[0] and "EXTORT.DELETE_FEE" in alert.reasons[0]
    feed(EXTORTION + "转发")
    assert Alert.objects.filter(event=alert.event).count() == 1
    assert Alert.objects.get().reasons == alert.reasons  # the same rule again adds nothing
    assert AuditEntry.objects.filter(action="monitor.alert.raised").count() == 1


def test_a_dismissed_alert_comes_back_only_at_a_higher_level(alert: Alert, org: dict[str, Any]) -> None:
    set_status(alert, AlertStatus.DISMISSED, actor=org["duty"], reason="企业已澄清")
    feed(EXTORTION + "再次转发")
    assert Alert.objects.count() == 1
    AlertRule.objects.create(name="关键词", kind=RuleKind.KEYWORD, keyword="删帖费", level="red")
    feed(EXTORTION + "第三次转发")
    fresh = Alert.objects.exclude(pk=alert.pk).get()
    assert fresh.level == "red" and fresh.status == AlertStatus.NEW and fresh.event_id == alert.event_id


@pytest.mark.django_db
def test_keyword_entity_and_size_rules(watched: Any, settings: Any) -> None:
    settings.MONITOR_ALERT_MIN_LEVEL = "off"
    entity = watched("云岚纺织")
    AlertRule.objects.create(name="关键词", kind=RuleKind.KEYWORD, keyword="跑路", level="yellow")
    AlertRule.objects.create(name="负面", kind=RuleKind.ENTITY_NEGATIVE, entity=entity, negativity=0.2, level="orange")
    AlertRule.objects.create(name="规模", kind=RuleKind.BURST, min_size=3, level="yellow")
    feed("有网民称云岚纺织即将倒闭跑路，恶意造谣抹黑企业。")
    alert = Alert.objects.get()  # both rules fired on one event: one card, both reasons, the higher level
    assert alert.keys == sorted(f"rule:{r.pk}" for r in AlertRule.objects.filter(name__in=["关键词", "负面"]))
    assert alert.level == "orange" and len(alert.reasons) == 2
    feed(*["清溪市召开优化营商网络环境座谈会，企业代表参加并交流经验。"] * 3)
    assert Alert.objects.filter(rule__name="规模").count() == 1


def test_state_machine_allows_listed_moves_and_records_each(alert: Alert, org: dict[str, Any]) -> None:
    set_status(alert, AlertStatus.ACKNOWLEDGED, actor=org["duty"])
    set_status(alert, AlertStatus.ESCALATED, actor=org["duty"], reason="涉及敲诈勒索，报请带班领导")
    set_status(alert, AlertStatus.DISMISSED, actor=org["admin"], reason="企业已报案，转公安处理")
    history = list(alert.history.values_list("from_status", "to_status", "actor__username"))
    assert history == [("new", "acknowledged", "duty"), ("acknowledged", "escalated", "duty"),
                       ("escalated", "dismissed", "admin")]
    assert AuditEntry.objects.filter(action="monitor.alert.dismissed", target_id=str(alert.pk)).exists()
    with pytest.raises(AlertStateError):
        set_status(alert, AlertStatus.ACKNOWLEDGED, actor=org["duty"])


def test_dismissing_needs_a_reason(alert: Alert, org: dict[str, Any]) -> None:
    with pytest.raises(AlertStateError):
        set_status(alert, AlertStatus.DISMISSED, actor=org["duty"], reason="  ")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.NEW


def test_a_stale_copy_cannot_overwrite_a_newer_move(alert: Alert, org: dict[str, Any]) -> None:
    stale = Alert.objects.get(pk=alert.pk)
    set_status(alert, AlertStatus.ACKNOWLEDGED, actor=org["duty"])
    with pytest.raises(AlertStateError):
        set_status(stale, AlertStatus.DISMISSED, actor=org["admin"], reason="重复")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED


def test_unacknowledged_alerts_escalate_after_the_configured_time(alert: Alert, settings: Any) -> None:
    settings.MONITOR_ALERT_ESCALATE_MINUTES = 30
    assert alerts.escalate_overdue(now=timezone.now() + timedelta(minutes=10)) == 0
    assert alerts.escalate_overdue(now=timezone.now() + timedelta(minutes=31)) == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ESCALATED
    assert "30 分钟内无人确认" in alert.history.get().reason
    assert alerts.escalate_overdue(now=timezone.now() + timedelta(minutes=62)) == 0


@pytest.fixture
def robot() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_delivery_by_mail_and_group_robot_webhook(alert: Alert, settings: Any, org: dict[str, Any],
                                                  robot: tuple[str, list[dict[str, Any]]]) -> None:
    base, received = robot
    org["duty"].email = "duty@example.org"
    org["duty"].save()
    settings.MONITOR_ALERT_WEBHOOKS = [f"{base}/cgi-bin/webhook/send?key=test"]
    assert alerts.deliver(alert) == []
    assert mail.outbox[0].to == ["duty@example.org"] and mail.outbox[0].subject == alert.title
    payload = received[0]["json"]
    assert payload["msgtype"] == "markdown" and alert.title in payload["markdown"]["content"]
    assert received[0]["type"].startswith("application/json")


def test_dingtalk_robots_get_a_title(alert: Alert) -> None:
    payload = alerts.webhook_payload("https://oapi.dingtalk.com/robot/send?access_token=x", alert)
    assert payload["markdown"]["title"] and "橙色" in payload["markdown"]["text"]


def test_a_failing_channel_is_reported_and_others_still_go(alert: Alert, settings: Any) -> None:
    settings.MONITOR_ALERT_EMAILS = ["desk@example.org"]
    settings.MONITOR_ALERT_WEBHOOKS = ["http://127.0.0.1:9/unreachable"]
    failed = alerts.deliver(alert)
    assert len(failed) == 1 and "127.0.0.1" in failed[0]
    assert len(mail.outbox) == 1


def test_engine_level_alone_raises_an_alert(org: dict[str, Any], watched: Any, settings: Any) -> None:
    settings.MONITOR_ALERT_MIN_LEVEL = "yellow"
    watched("海澄物流")
    feed(EXTORTION)
    event = Event.objects.get()
    assert Alert.objects.filter(event=event, rule_key="risk").exists()


def test_an_entity_rule_reads_the_tone_about_that_entity(org: dict[str, Any], watched: Any, settings: Any) -> None:
    settings.MONITOR_ALERT_MIN_LEVEL = "off"
    praised, blamed = watched("星澜电子"), watched("海澄物流")
    for entity in (praised, blamed):
        AlertRule.objects.create(name=f"{entity.name}负面", kind=RuleKind.ENTITY_NEGATIVE, entity=entity,
                                 negativity=0.2, level="yellow")
    feed("星澜电子新品获得用户广泛好评，海澄物流却因拖欠运费被多家商户起诉，员工维权讨薪。")
    reasons = [r for a in Alert.objects.all() for r in a.reasons]
    assert any("海澄物流 负面报道" in r for r in reasons)
    assert not any("星澜电子 负面报道" in r for r in reasons)
    tones = {m.entity.name: m for m in Mention.objects.select_related("entity")}
    assert tones["星澜电子"].sentiment > 0 and not tones["星澜电子"].negative
    assert tones["海澄物流"].sentiment < 0 and tones["海澄物流"].negative


def test_an_entity_rule_alerts_on_a_refuted_rumour_that_coverage_counts_as_good(
        org: dict[str, Any], watched: Any, settings: Any, client: Any) -> None:
    """Alert rules read the tone without the turns where that is lower: the turns are word
    patterns, and bad news taken for a refuted rumour would otherwise raise nothing."""
    settings.MONITOR_ALERT_MIN_LEVEL = "off"
    entity = watched("青山化工")
    AlertRule.objects.create(name="青山化工负面", kind=RuleKind.ENTITY_NEGATIVE, entity=entity, negativity=0.2,
                             level="yellow")
    feed("网传青山化工偷排废水致河道污染，经环保部门连夜检测，该说法不实，排放全部达标。")
    doc = Document.objects.get()
    assert doc.tone_about("青山化工") > 0 > doc.alarm_about("青山化工")
    (reason,) = Alert.objects.get().reasons
    assert reason.startswith("青山化工负面：青山化工 负面报道") and "按辟谣、整改等转折读为 +" in reason
    mention = Mention.objects.get()   # the coverage itself counts as the stance has it
    assert mention.sentiment > 0 and not mention.negative
    ((name, stance, alarm),) = doc.tone_chips()   # the event page shows both readings
    assert (name, stance) == ("青山化工", doc.entity_tones["青山化工"])
    assert alarm == doc.entity_alarm_tones["青山化工"] and alarm is not None and alarm < min(0.0, stance - 0.05)
    client.force_login(org["duty"])
    page = client.get(reverse("monitor-event", args=[doc.event_id])).content.decode()
    assert f'按原文 {alarm:.2f}</span>' in page and "预警规则按此判断" in page
