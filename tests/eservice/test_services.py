"""The business rules: routing, the closed loop, time limits, permissions, privacy, upkeep."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qinglang.audit.models import AuditEntry
from qinglang.audit.services import verify_chain
from qinglang.core.models import CalendarDay
from qinglang.eservice import sensing, services, upkeep
from qinglang.eservice.models import Reminder, ServiceRequest, Status, Transition, WechatMessage
from qinglang.eservice.privacy import mask_name, mask_phone, mask_phones_in_text, normalise_phone
from tests.eservice.conftest import new_request

pytestmark = pytest.mark.django_db


def test_routes_by_the_deepest_named_service_area(stations: dict[str, Any]) -> None:
    assert services.route_station("测试镇测试村3组") == stations["village"]
    assert services.route_station("测试镇镇中心街12号") == stations["town"]


def test_routes_by_nearest_station_when_no_area_is_named(stations: dict[str, Any]) -> None:
    assert services.route_station("不知道哪里", 25.19, 118.99) == stations["village"]
    assert services.route_station("", 25.09, 118.91) == stations["town"]


def test_unknown_place_goes_to_the_configured_default(stations: dict[str, Any], settings: Any) -> None:
    assert services.route_station("火星") == stations["town"]  # the top-most station
    settings.ESERVICE_DEFAULT_STATION = "village"
    assert services.route_station("火星") == stations["village"]


def test_no_station_at_all_is_a_clear_error(org: dict[str, Any]) -> None:
    org["town"].kind = org["village"].kind = "other"
    org["town"].save()
    org["village"].save()
    with pytest.raises(services.EserviceError, match="e站"):
        services.route_station("测试村")


def test_intake_gives_a_receipt_history_and_audit(stations: dict[str, Any]) -> None:
    req = new_request()
    assert req.receipt_no.startswith("E") and len(req.receipt_no) == 13
    assert req.station == stations["village"]
    assert req.status == Status.ACCEPTED
    assert req.phone_last4 == "5678"
    assert list(req.transitions.values_list("from_status", "to_status")) == [("", "accepted")]
    assert AuditEntry.objects.filter(action="eservice.request.accepted", target_id=str(req.pk)).exists()


def test_time_limit_counts_working_days_on_the_calendar(stations: dict[str, Any], monkeypatch: Any) -> None:
    friday = datetime(2026, 9, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    CalendarDay.objects.create(date=date(2026, 9, 28), kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    monkeypatch.setattr(timezone, "now", lambda: friday)
    help_req = new_request(code="help")  # 3 working days: Tue 29, Wed 30, Thu 1
    assert timezone.localtime(help_req.due_at).date() == date(2026, 10, 1)
    urgent = new_request(code="urgent")  # the same day
    assert timezone.localtime(urgent.due_at).date() == date(2026, 9, 25)


def walk(req: ServiceRequest, org: dict[str, Any]) -> ServiceRequest:
    town_staff, village_staff = org["town_staff"], org["village_staff"]
    services.dispatch(req, org["village"], actor=town_staff, note="请村e站上门核实")
    services.start(req, actor=village_staff)
    services.reply(req, "已联系供电所更换灯泡。", actor=village_staff)
    services.close(req, actor=town_staff)
    services.follow_up(req, actor=town_staff, note="居民表示路灯已亮", rating=5)
    return req


def test_the_closed_loop_from_acceptance_to_rating(stations: dict[str, Any]) -> None:
    req = walk(new_request(place="测试镇"), stations)
    assert req.status == Status.RATED and req.rating == 5
    assert req.assignee == stations["village_staff"]
    steps = list(req.transitions.values_list("to_status", flat=True))
    assert steps == ["accepted", "dispatched", "in_progress", "replied", "closed", "followed_up", "rated"]
    assert req.transitions.get(to_status="dispatched").actor == stations["town_staff"]
    assert req.contacts.filter(kind="call").count() == 1
    actions = set(AuditEntry.objects.filter(target_id=str(req.pk)).values_list("action", flat=True))
    assert {"eservice.request.dispatched", "eservice.request.closed", "eservice.request.rated"} <= actions
    assert verify_chain().ok


def test_a_bad_move_raises_and_changes_nothing(stations: dict[str, Any]) -> None:
    req = new_request()
    with pytest.raises(services.InvalidTransition, match="受理"):
        services.transition(req, Status.CLOSED, actor=stations["town_staff"])
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED
    assert Transition.objects.filter(request=req).count() == 1


def test_rated_is_final(stations: dict[str, Any]) -> None:
    req = walk(new_request(), stations)
    with pytest.raises(services.InvalidTransition):
        services.rate(req, 3)


def test_rating_must_be_one_to_five(stations: dict[str, Any]) -> None:
    req = new_request()
    with pytest.raises(services.EserviceError):
        services.rate(req, 9)


def test_outsiders_cannot_dispatch_and_handlers_cannot_close(stations: dict[str, Any]) -> None:
    req = new_request(place="测试镇")
    with pytest.raises(services.NotPermitted):
        services.dispatch(req, stations["village"], actor=stations["outsider"])
    services.dispatch(req, stations["police"], actor=stations["town_staff"])
    services.start(req, actor=stations["police_liaison"])
    services.reply(req, "已处置", actor=stations["police_liaison"])
    with pytest.raises(services.NotPermitted):
        services.close(req, actor=stations["police_liaison"])


def test_returned_request_goes_back_to_the_station(stations: dict[str, Any]) -> None:
    req = new_request(place="测试镇")
    services.dispatch(req, stations["village"], actor=stations["town_staff"])
    services.return_to_station(req, actor=stations["village_staff"], reason="不属于本村")
    assert req.status == Status.ACCEPTED and req.handling_department is None


def test_only_the_assigned_staff_may_reveal_and_each_reveal_is_audited(stations: dict[str, Any]) -> None:
    req = new_request(place="测试镇")
    assert services.is_assigned(stations["town_staff"], req)
    assert not services.is_assigned(stations["admin"], req)
    assert services.reveal_personal_data(req, actor=stations["town_staff"]) == {"name": "张三", "phone": "13812345678"}
    services.dispatch(req, stations["village"], actor=stations["town_staff"])
    services.start(req, actor=stations["village_staff"])
    with pytest.raises(services.NotPermitted):
        services.reveal_personal_data(req, actor=stations["town_staff"])
    assert AuditEntry.objects.filter(action="eservice.request.reveal", actor=stations["town_staff"]).count() == 1


def test_supervision_comes_from_above_the_station(stations: dict[str, Any]) -> None:
    req = new_request()  # the village station
    with pytest.raises(services.NotPermitted):
        services.remind(req, Reminder.Kind.SUPERVISE, actor=stations["village_staff"])
    services.remind(req, Reminder.Kind.SUPERVISE, actor=stations["town_staff"], note="请加快办理")
    assert req.reminders.get().kind == "supervise"


def test_mediation_sessions_and_agreement(stations: dict[str, Any]) -> None:
    req = new_request("邻居占用通道，请求调解", code="mediation")
    services.add_mediation_session(req, actor=stations["village_staff"], held_at=timezone.now(),
                                   participants="张三、李四、村调解员", notes="双方同意各退一步")
    services.record_agreement(req, actor=stations["village_staff"], parties="张三、李四", terms="通道保持畅通",
                              signed_on=timezone.localdate())
    assert req.mediation_sessions.count() == 1
    assert req.agreement.terms == "通道保持畅通"
    other = new_request(code="help")
    with pytest.raises(services.EserviceError):
        services.add_mediation_session(other, actor=stations["village_staff"], held_at=timezone.now(),
                                       participants="x", notes="y")


def test_status_lookup_needs_receipt_and_last_four_digits(stations: dict[str, Any]) -> None:
    req = new_request()
    assert services.find_for_resident(req.receipt_no.lower(), "5678") == req
    assert services.find_for_resident(req.receipt_no, "1234") is None
    assert services.find_for_resident(req.receipt_no, "") is None


def test_overdue_requests_get_one_automatic_reminder(stations: dict[str, Any]) -> None:
    late = new_request()
    new_request()  # not yet due
    ServiceRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert upkeep.flag_overdue() == 1
    assert upkeep.flag_overdue() == 0  # idempotent
    assert late.reminders.get().kind == Reminder.Kind.URGE
    assert services.overdue(ServiceRequest.objects.all()).get() == late


def test_personal_data_is_erased_after_retention(stations: dict[str, Any], settings: Any) -> None:
    settings.ESERVICE_RETENTION_DAYS = 30
    req = walk(new_request(wechat_openid="o-resident"), stations)
    WechatMessage.objects.create(dedup_key="id:1", from_user="o-resident", msg_type="text",
                                 created_at=timezone.now(), xml="<xml>张三 13812345678</xml>", request=req)
    assert upkeep.purge_expired_personal_data() == 0
    ServiceRequest.objects.filter(pk=req.pk).update(closed_at=timezone.now() - timedelta(days=31))
    assert upkeep.purge_expired_personal_data() == 1
    assert upkeep.purge_expired_personal_data() == 0
    req.refresh_from_db()
    assert (req.name, req.phone, req.phone_last4, req.wechat_openid, req.raw) == ("", "", "", "", "")
    assert WechatMessage.objects.get().xml == ""
    assert req.description  # what was asked stays for statistics


def test_similar_requests_cluster_into_one_topic(stations: dict[str, Any]) -> None:
    lamps = [new_request(f"测试村村口路灯坏了{n}天，晚上很黑，请尽快修理路灯") for n in (3, 5, 7)]
    other = new_request("测试镇中心街菜市场门口垃圾堆积无人清运，气味难闻", place="测试镇")
    assert sensing.cluster_recent() == 4
    keys = {ServiceRequest.objects.get(pk=r.pk).topic_key for r in lamps}
    assert keys == {lamps[0].receipt_no}
    assert ServiceRequest.objects.get(pk=other.pk).topic_key == other.receipt_no


def test_online_harm_waits_for_the_cases_module(stations: dict[str, Any], monkeypatch: Any) -> None:
    req = new_request("有人在微信群造谣说本村水库要溃坝", code="online-harm")
    monkeypatch.setattr(sensing, "_cases_hook", lambda: None)
    sensing.classify_request(req.pk)
    assert ServiceRequest.objects.get(pk=req.pk).case_reference == ""
    filed: list[str] = []
    monkeypatch.setattr(sensing, "_cases_hook", lambda: lambda r: filed.append(r.receipt_no) or "CASE-1")
    sensing.classify_request(req.pk)
    sensing.classify_request(req.pk)  # a retried task files nothing twice
    assert filed == [req.receipt_no]
    assert ServiceRequest.objects.get(pk=req.pk).case_reference == "CASE-1"


def test_the_periodic_sweep_forwards_what_a_lost_task_missed(stations: dict[str, Any], monkeypatch: Any) -> None:
    harm = new_request("有人冒充e站工作人员在网上发布虚假通知", code="online-harm")
    new_request("测试村路灯坏了")
    filed: list[str] = []
    monkeypatch.setattr(sensing, "_cases_hook", lambda: lambda r: filed.append(r.receipt_no) or f"CASE-{r.pk}")
    sensing.cluster_recent()
    sensing.cluster_recent()
    assert filed == [harm.receipt_no]


def test_online_harm_becomes_a_lead_in_the_cases_module(stations: dict[str, Any]) -> None:
    if sensing._cases_hook() is None:
        pytest.skip("the cases module does not take e-station requests in this tree")
    from qinglang.cases.models import Report

    req = new_request("有人在微信群冒充村委会发布虚假补贴通知，骗取群众个人信息", code="online-harm")
    sensing.classify_request(req.pk)
    req.refresh_from_db()
    report = Report.objects.get(source_ref=f"eservice:{req.receipt_no}")
    assert req.case_reference == report.receipt_no
    assert AuditEntry.objects.filter(action="eservice.request.forwarded_to_cases", target_id=str(req.pk)).exists()


def test_a_failing_hand_over_does_not_stop_the_sweep(stations: dict[str, Any], monkeypatch: Any) -> None:
    first = new_request("网上有人造谣本村水库溃坝", code="online-harm")
    second = new_request("网上有人冒充e站发通知", code="online-harm")

    def flaky(req: ServiceRequest) -> str:
        if req.pk == first.pk:
            raise RuntimeError("cases unavailable")
        return "CASE-2"

    monkeypatch.setattr(sensing, "_cases_hook", lambda: flaky)
    sensing.cluster_recent()
    assert ServiceRequest.objects.get(pk=first.pk).case_reference == ""  # released, retried next sweep
    assert ServiceRequest.objects.get(pk=second.pk).case_reference == "CASE-2"


def test_masks() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phones_in_text("电话13812345678或0595-22345678") == "电话138****5678或0595-****5678"
    assert normalise_phone("+86 138 1234 5678") == "13812345678"
