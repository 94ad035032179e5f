"""Time limits on the working-day calendar: holidays, make-up days, pause/resume, reminders and
overdue escalation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.cases import services, tasks
from qinglang.cases.models import Case, Reminder
from qinglang.core.models import CalendarDay
from qinglang.org.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def national_day(db: None) -> None:
    """An office's calendar: 1–7 October off, two weekend make-up workdays around it."""
    for day in range(1, 8):
        CalendarDay.objects.create(date=date(2026, 10, day), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=date(2026, 9, 27), kind="workday", name="国庆调休")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind="workday", name="国庆调休")


def test_the_time_limit_skips_holidays_and_counts_make_up_days(
    national_day: None, make_case: Callable[..., Case], settings: Any
) -> None:
    settings.CASES_TIME_LIMIT_DAYS = 5
    with at(datetime(2026, 9, 25, 10, tzinfo=SHANGHAI)):  # a Friday
        case = make_case("assigned")
    # Sun 27 (make-up), Mon 28, Tue 29, Wed 30, then the holiday week, then Thu 8 October.
    assert case.due_at == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)


def test_pause_keeps_the_days_left_and_resume_restarts_from_them(
    national_day: None, make_case: Callable[..., Case], org: dict[str, Any], settings: Any
) -> None:
    settings.CASES_TIME_LIMIT_DAYS = 5
    with at(datetime(2026, 9, 25, 10, tzinfo=SHANGHAI)):
        case = make_case("assigned")
    with at(datetime(2026, 9, 28, 9, tzinfo=SHANGHAI)):  # Monday: Tue, Wed, Thu 8 Oct left
        services.pause(case, org["police_liaison"], "等待平台调取注册信息")
    assert case.days_left_at_pause == 3 and case.paused_at is not None
    with pytest.raises(services.CaseRuleError, match="已暂停计时"):
        services.pause(case, org["police_liaison"], "再次暂停")
    with at(datetime(2026, 10, 9, 15, tzinfo=SHANGHAI)):  # Friday after the holiday
        services.resume(case, org["police_liaison"])
    # Sat 10 (make-up), Mon 12, Tue 13.
    assert case.due_at == datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI) and case.paused_at is None
    assert AuditEntry.objects.filter(action__in=["cases.clock_paused", "cases.clock_resumed"]).count() == 2


def test_overdue_cases_escalate_once_to_the_lead_departments_head(
    make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    with at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)):
        overdue = make_case("assigned", lead="police")
        paused = make_case("assigned", lead="police")
        services.pause(paused, org["duty"], "等待第三方")
    with at(datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)):
        assert services.check_deadlines() == {"due_soon": 0, "escalated": 1}
        assert services.check_deadlines() == {"due_soon": 0, "escalated": 0}  # idempotent
    escalation = Reminder.objects.get(kind="escalation")
    assert escalation.case == overdue and escalation.department == org["police"]
    assert escalation.to_user == org["police_liaison"] and "超过办理时限" in escalation.message
    assert AuditEntry.objects.filter(action="cases.escalation", target_id=str(overdue.pk)).count() == 1


def test_due_soon_reminder_then_escalation(make_case: Callable[..., Case], settings: Any) -> None:
    settings.CASES_TIME_LIMIT_DAYS = 5
    settings.CASES_REMIND_BEFORE_DAYS = 2
    with at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)):  # Monday; due Monday 9 November
        case = make_case("assigned")
    with at(datetime(2026, 11, 4, 9, tzinfo=SHANGHAI)):  # 3 working days left: nothing yet
        assert tasks.check_deadlines.run() == {"due_soon": 0, "escalated": 0}
    with at(datetime(2026, 11, 5, 9, tzinfo=SHANGHAI)):  # 2 left
        assert tasks.check_deadlines.run() == {"due_soon": 1, "escalated": 0}
        assert tasks.check_deadlines.run() == {"due_soon": 0, "escalated": 0}
    with at(datetime(2026, 11, 10, 9, tzinfo=SHANGHAI)):
        assert tasks.check_deadlines.run() == {"due_soon": 0, "escalated": 1}
    assert list(case.reminders.order_by("pk").values_list("kind", flat=True)) == ["due_soon", "escalation"]


def test_closed_cases_are_not_chased(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    with at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)):
        case = make_case("assigned")
        services.set_status(case, "transferred", org["duty"], reason="移交市场监管", legal_basis="《反不正当竞争法》")
    with at(datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)):
        assert services.check_deadlines() == {"due_soon": 0, "escalated": 0}
    with pytest.raises(services.CaseRuleError, match="无需催办"):
        services.remind(case, org["duty"], "")


def test_a_person_reminds_from_the_case_page(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any]
) -> None:
    case = make_case("assigned")
    client.force_login(org["duty"])
    page = client.post(reverse("cases-remind", args=[case.pk]), {"message": "请本周内反馈"}, follow=True)
    assert "请本周内反馈" in page.content.decode() and "已催办" in page.content.decode()
    reminder = Reminder.objects.get()
    assert reminder.kind == "reminder" and reminder.sent_by == org["duty"] and reminder.department == org["police"]
    page = client.post(reverse("cases-pause", args=[case.pk]), {"reason": "等待平台回函"}, follow=True)
    assert "已暂停计时" in page.content.decode() and "等待平台回函" in page.content.decode()


def test_overdue_escalation_goes_to_the_departments_head_by_page_and_mail(
    make_case: Callable[..., Case], org: dict[str, Any], mailoutbox: list[Any]
) -> None:
    from qinglang.org.models import Role
    from tests.conftest import make_user

    head = make_user("police_head", "网安支队支队长", org["police"], Role.CASE_OFFICER, email="head@police.example")
    make_user("police_admin", "网安支队管理员", org["police"], Role.ADMIN, email="admin@police.example")
    org["police"].head = head
    org["police"].save()
    with at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)):
        case = make_case("assigned", lead="police")
    with at(datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)):
        assert tasks.check_deadlines.run() == {"due_soon": 0, "escalated": 1}
    escalation = Reminder.objects.get(kind="escalation")
    assert escalation.to_user == head and escalation.case == case
    [mail] = mailoutbox
    assert mail.to == ["head@police.example"]
    assert mail.subject == f"督办：案件{case.number}已超期" and "测试市公安局网安支队" in mail.body
    entry = AuditEntry.objects.get(action="cases.escalation")
    assert entry.detail["recipients"] == ["police_head"] and entry.detail["mail_failed"] is False


def test_without_a_head_escalation_falls_back_to_the_departments_admins(
    make_case: Callable[..., Case], org: dict[str, Any], mailoutbox: list[Any]
) -> None:
    from qinglang.org.models import Role
    from tests.conftest import make_user

    first = make_user("police_admin", "网安支队管理员", org["police"], Role.ADMIN, email="a1@police.example")
    second = make_user("police_admin2", "网安支队副管理员", org["police"], Role.ADMIN, email="a2@police.example")
    inactive = make_user("police_head", "已离任支队长", org["police"], Role.CASE_OFFICER, is_active=False)
    org["police"].head = inactive  # a head who has left counts as no head
    org["police"].save()
    with at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)):
        make_case("assigned", lead="police")
    with at(datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)):
        assert services.check_deadlines() == {"due_soon": 0, "escalated": 1}
        assert services.check_deadlines() == {"due_soon": 0, "escalated": 0}
    assert set(Reminder.objects.filter(kind="escalation").values_list("to_user", flat=True)) == {first.pk, second.pk}
    [mail] = mailoutbox
    assert sorted(mail.to) == ["a1@police.example", "a2@police.example"]


def test_a_reminder_is_mailed_to_the_cases_assignees(
    client: Client, make_case: Callable[..., Case], org: dict[str, Any], mailoutbox: list[Any]
) -> None:
    from qinglang.org.models import Role
    from tests.conftest import make_user

    org["police_liaison"].email = "liaison@police.example"
    org["police_liaison"].save()
    make_user("town_officer", "镇e站办案员", org["town"], Role.CASE_OFFICER, email="officer@town.example")
    make_user("town_head", "镇e站站长", org["town"], Role.STATION_STAFF, email="head@town.example")
    org["town"].head = User.objects.get(username="town_head")
    org["town"].save()
    org["outsider"].email = "outsider@example.org"  # not on the case: never mailed
    org["outsider"].save()
    case = make_case("assigned", lead="police", co=("town",))
    client.force_login(org["duty"])
    client.post(reverse("cases-remind", args=[case.pk]), {"message": "请本周内反馈"})
    [mail] = mailoutbox
    assert sorted(mail.to) == ["head@town.example", "liaison@police.example", "officer@town.example"]
    assert mail.subject == f"催办：案件{case.number}"
    assert "请本周内反馈" in mail.body and "值班员" in mail.body and case.title in mail.body
    entry = AuditEntry.objects.get(action="cases.reminded")
    assert entry.detail["mailed_to"] == ["police_liaison", "town_officer", "town_head"]


def test_a_reminder_without_addresses_sends_nothing(
    make_case: Callable[..., Case], org: dict[str, Any], mailoutbox: list[Any]
) -> None:
    case = make_case("assigned", lead="police")
    services.remind(case, org["duty"], "")
    assert mailoutbox == [] and Reminder.objects.get().message == "请加快办理。"
