"""Alert rules managed on the monitor's own page: who may, what the form accepts, what is logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinglang.audit.models import AuditEntry
from qinglang.audit.services import verify_chain
from qinglang.monitor.alerts import evaluate
from qinglang.monitor.ingest import source_named
from qinglang.monitor.models import Alert, AlertRule, Document, Event, RuleKind, WatchedEntity
from tests.conftest import signed_in


def audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


BASE = {"name": "", "kind": "", "level": "yellow", "entity": "", "negativity": "0.2", "category": "",
        "keyword": "", "min_size": "0", "enabled": "on"}


def rule_fields(**values: Any) -> dict[str, Any]:
    return {**BASE, **values}


@pytest.fixture
def desk(org: dict[str, Any]) -> dict[str, Any]:
    org["rule"] = AlertRule.objects.create(name="删帖勒索", kind=RuleKind.CATEGORY, category="EXTORT", level="red")
    org["entity"] = WatchedEntity.objects.create(name="星河科技")
    return org


def test_the_duty_officer_lists_rules_and_finds_them_in_the_sub_navigation(
    client: Client, desk: dict[str, Any]
) -> None:
    page = signed_in(client, desk["duty"]).get(reverse("monitor-rules"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "删帖勒索" in html and "<code>EXTORT</code>" in html and "危害类别" in html
    assert f'href="{reverse("monitor-rules")}" aria-current="page">预警规则</a>' in html
    events = client.get(reverse("monitor-events")).content.decode()
    assert f'href="{reverse("monitor-rules")}">预警规则</a>' in events


def test_creating_each_kind_of_rule_is_saved_and_audited(client: Client, desk: dict[str, Any]) -> None:
    signed_in(client, desk["duty"])
    entity = desk["entity"]
    posts = {
        "负面": rule_fields(name="负面", kind="entity_negative", entity=entity.pk, negativity="0.5", keyword="残留"),
        "水军": rule_fields(name="水军", kind="category", category="SMEAR.ASTROTURF", level="orange"),
        "规模": rule_fields(name="规模", kind="burst", min_size="20"),
        "倒闭": rule_fields(name="倒闭", kind="keyword", keyword=" 倒闭跑路 "),
    }
    for fields in posts.values():
        response = client.post(reverse("monitor-rules"), fields)
        assert response.status_code == 302 and response.url == reverse("monitor-rules")
    negative = AlertRule.objects.get(name="负面")
    assert (negative.kind, negative.entity, negative.negativity) == (RuleKind.ENTITY_NEGATIVE, entity, 0.5)
    assert negative.keyword == ""  # a field only other kinds read is not kept
    assert AlertRule.objects.get(name="水军").category == "SMEAR.ASTROTURF"
    assert AlertRule.objects.get(name="规模").min_size == 20
    assert AlertRule.objects.get(name="倒闭").keyword == "倒闭跑路"
    created = audit("monitor.rule.created")
    assert [e.target_id for e in created] == [str(AlertRule.objects.get(name=n).pk) for n in posts]
    assert created[0].actor == desk["duty"] and created[0].detail["entity_id"] == entity.pk
    assert created[1].detail["category"] == "SMEAR.ASTROTURF" and created[1].detail["level"] == "orange"
    assert verify_chain().ok
    listing = client.get(reverse("monitor-rules")).content.decode()
    assert "已添加预警规则“倒闭”。" in listing  # the last one's message, shown after the redirect
    assert all(f">{name}</a>" in listing for name in posts)


@pytest.mark.parametrize(("fields", "field", "message"), [
    (rule_fields(name="空类别", kind="category"), "category", "危害类别规则必须选择危害类别。"),
    (rule_fields(name="假类别", kind="category", category="SMEAR.NOPE"), "category",
     "“SMEAR.NOPE”不是引擎分类体系中的危害类别"),
    (rule_fields(name="无对象", kind="entity_negative"), "entity", "关注对象规则必须选择关注对象。"),
    (rule_fields(name="无关键词", kind="keyword", keyword="   "), "keyword", "关键词规则必须填写关键词。"),
    (rule_fields(name="零规模", kind="burst", min_size="0"), "min_size", "事件规模规则的最少文档数至少为 1。"),
    (rule_fields(name="阈值", kind="entity_negative", entity="ENTITY", negativity="1.5"), "negativity", "1"),
])
def test_invalid_rules_are_refused_with_a_chinese_message(
    client: Client, desk: dict[str, Any], fields: dict[str, Any], field: str, message: str
) -> None:
    if fields["entity"] == "ENTITY":
        fields = {**fields, "entity": desk["entity"].pk}
    response = signed_in(client, desk["duty"]).post(reverse("monitor-rules"), fields)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in response.content.decode()
    assert not AlertRule.objects.filter(name=fields["name"]).exists()
    assert not audit("monitor.rule.created")


def test_every_taxonomy_code_and_class_is_offered(client: Client, desk: dict[str, Any]) -> None:
    form = signed_in(client, desk["duty"]).get(reverse("monitor-rules")).context["form"]
    offered = {value for value, _ in form.fields["category"].choices}
    assert {"SMEAR", "SMEAR.ASTROTURF", "EXTORT", "EXTORT.DELETE_FEE", "RECRUIT.BLACK_PR"} <= offered


def test_editing_a_rule_records_what_changed(client: Client, desk: dict[str, Any]) -> None:
    rule = desk["rule"]
    signed_in(client, desk["duty"])
    page = client.get(reverse("monitor-rule", args=[rule.pk]))
    assert page.status_code == 200 and page.context["form"].initial["category"] == "EXTORT"
    fields = rule_fields(name="删帖勒索", kind="keyword", keyword="删帖费", level="orange")
    response = client.post(reverse("monitor-rule", args=[rule.pk]), fields)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.kind, rule.keyword, rule.category, rule.level) == (RuleKind.KEYWORD, "删帖费", "", "orange")
    [entry] = audit("monitor.rule.changed")
    assert entry.target_id == str(rule.pk) and entry.actor == desk["duty"]
    assert entry.detail["changes"] == {
        "kind": {"from": "category", "to": "keyword"}, "level": {"from": "red", "to": "orange"},
        "category": {"from": "EXTORT", "to": ""}, "keyword": {"from": "", "to": "删帖费"},
    }
    bad = client.post(reverse("monitor-rule", args=[rule.pk]), rule_fields(name="改名", kind="category"))
    assert "危害类别规则必须选择危害类别。" in bad.content.decode()
    assert "<h1>预警规则：删帖勒索</h1>" in bad.content.decode()  # the stored name, not the posted one
    rule.refresh_from_db()
    assert rule.kind == RuleKind.KEYWORD and len(audit("monitor.rule.changed")) == 1
    client.post(reverse("monitor-rule", args=[rule.pk]), fields)  # saved unchanged: nothing to log
    assert len(audit("monitor.rule.changed")) == 1


def test_switching_a_rule_off_stops_it_raising_alerts(client: Client, desk: dict[str, Any]) -> None:
    rule = AlertRule.objects.create(name="倒闭", kind=RuleKind.KEYWORD, keyword="倒闭", level="yellow")
    signed_in(client, desk["duty"])
    response = client.post(reverse("monitor-rule-toggle", args=[rule.pk]), follow=True)
    assert "已停用预警规则“倒闭”。" in response.content.decode()
    rule.refresh_from_db()
    assert not rule.enabled
    assert [e.target_id for e in audit("monitor.rule.disabled")] == [str(rule.pk)]

    now = timezone.now()
    event = Event.objects.create(engine_id="e1", label="倒闭传闻", first_seen=now, last_seen=now, size=1)
    doc = Document.objects.create(source=source_named("清溪论坛"), key="d1", text="网传某企业倒闭", published_at=now,
                                  event=event, sentiment=0.0)
    assert evaluate([doc], {"e1": event}) == [] and not Alert.objects.exists()

    client.post(reverse("monitor-rule-toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.enabled and [e.target_id for e in audit("monitor.rule.enabled")] == [str(rule.pk)]
    [alert] = evaluate([doc], {"e1": event})
    assert alert.rule == rule


def test_toggling_needs_a_post(client: Client, desk: dict[str, Any]) -> None:
    rule = desk["rule"]
    assert signed_in(client, desk["duty"]).get(reverse("monitor-rule-toggle", args=[rule.pk])).status_code == 405
    rule.refresh_from_db()
    assert rule.enabled


@pytest.mark.parametrize("who", ["town_staff", "village_staff", "police_liaison", "outsider", "outsider_analyst"])
def test_stations_and_other_departments_cannot_see_or_change_rules(
    client: Client, desk: dict[str, Any], who: str
) -> None:
    user = desk["outsider" if who == "outsider_analyst" else who]
    if who == "outsider_analyst":  # an analyst's role, but not in the office
        user.role = "analyst"
        user.save()
    rule = desk["rule"]
    signed_in(client, user)
    assert client.get(reverse("monitor-rules")).status_code == 403
    assert client.get(reverse("monitor-rule", args=[rule.pk])).status_code == 403
    change = rule_fields(name="偷改", kind="keyword", keyword="x")
    assert client.post(reverse("monitor-rules"), change).status_code == 403
    assert client.post(reverse("monitor-rule", args=[rule.pk]), change).status_code == 403
    assert client.post(reverse("monitor-rule-toggle", args=[rule.pk])).status_code == 403
    rule.refresh_from_db()
    assert (rule.name, rule.kind, rule.enabled) == ("删帖勒索", RuleKind.CATEGORY, True)
    assert AlertRule.objects.count() == 1 and not AuditEntry.objects.filter(action__startswith="monitor.rule.").exists()
    if who == "outsider_analyst":  # may read the monitor, but the rules tab is not offered
        events = client.get(reverse("monitor-events")).content.decode()
        assert events.count("mon-tabs") == 1 and reverse("monitor-rules") not in events


def test_an_unknown_rule_is_404(client: Client, desk: dict[str, Any]) -> None:
    signed_in(client, desk["admin"])
    assert client.get(reverse("monitor-rule", args=[9999])).status_code == 404
    assert client.post(reverse("monitor-rule-toggle", args=[9999])).status_code == 404
