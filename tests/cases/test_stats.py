"""Statistics come from typed actions: counted, scoped, filtered by period, exported to xlsx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qinglang.cases import services, stats
from qinglang.cases.models import Case, CaseAction, JointOperation


def act(case: Case, user: Any, kind: str, principal: str, day: date = date(2026, 11, 20)) -> None:
    extra = {"interview": {"attendees": "a", "minutes": "m"}, "warning": {"legal_basis": "b"},
             "filed": {"filed_number": "清公网立字〔2026〕7号", "legal_basis": "b"},
             "takedown": {"platform": "p"}, "transfer": {"receiving_unit": "u"}}[kind]
    services.record_action(case, user, CaseAction(kind=kind, principal=principal, taken_on=day, **extra))


def test_headline_figures_count_principals_once(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    duty = org["duty"]
    first, second = make_case("assigned"), make_case("assigned")
    act(first, duty, "interview", "清溪爆料君")
    act(first, duty, "warning", " 清溪爆料君 ")  # same principal, typed with spaces
    act(second, duty, "filed", "清溪真相哥")
    act(second, duty, "takedown", "示例论坛")
    JointOperation.objects.create(name="清朗·清溪2026护企行动", department=org["office"], starts_on=date(2026, 3, 1))
    cases, actions, operations = stats.scoped(org["admin"], stats.Period())
    figures = stats.headline(cases, actions, operations)
    assert figures["joint_operations"] == 1 and figures["enforcement_actions"] == 4
    assert figures["principals_sanctioned"] == 2  # the takedown target is not "interviewed, warned or filed"
    assert (figures["principals_interviewed"], figures["principals_warned"], figures["principals_filed"]) == (1, 1, 1)
    parts = stats.breakdowns(cases, actions)
    assert dict(parts["by_action"]) == {"约谈": 1, "警告": 1, "立案查处": 1, "通知平台处置": 1}
    assert dict(parts["by_department"]) == {"测试市公安局网安支队": 2}
    assert dict(parts["by_category"]) == {"有偿删帖、索要删稿费公关费": 2}
    assert dict(parts["by_status"]) == {"已交办": 2}


def test_period_and_scope(make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    police_case = make_case("assigned", lead="police")
    act(police_case, org["duty"], "interview", "甲账号", date(2026, 1, 5))
    act(police_case, org["duty"], "interview", "乙账号", date(2026, 6, 5))
    in_june = stats.scoped(org["admin"], stats.Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert stats.headline(*in_june)["principals_interviewed"] == 1
    outsider = stats.scoped(org["outsider"], stats.Period())
    assert stats.headline(*outsider)["enforcement_actions"] == 0


def test_page_and_xlsx_export(client: Client, make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    case = make_case("assigned")
    act(case, org["duty"], "interview", "清溪爆料君")
    client.force_login(org["duty"])
    page = client.get(reverse("cases-stats")).content.decode()
    assert 'data-figure="principals_interviewed">1<' in page and "cases-chart-data" in page
    response = client.get(reverse("cases-stats-xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    overview = {row[0]: row[1] for row in book["总览"].iter_rows(values_only=True)}
    assert overview["约谈、警告、立案查处的网站平台和账号主体（个）"] == 1
    assert overview["其中约谈（个）"] == 1 and overview["案件（件）"] == 1
    assert list(book["按措施类型"].iter_rows(values_only=True)) == [("项目", "数量"), ("约谈", 1)]


def test_api_statistics(client: Client, make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    act(make_case("assigned"), org["duty"], "warning", "清溪爆料君")
    client.force_login(org["duty"])
    body = client.get("/api/v1/cases/statistics").json()
    assert body["headline"]["principals_warned"] == 1 and body["breakdowns"]["by_action"] == [["警告", 1]]
