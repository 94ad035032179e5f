"""Staff pages: scoping, masking, reveals, the actions of the loop, export, API."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinglang.audit.models import AuditEntry
from qinglang.eservice import sensing, services
from qinglang.eservice.models import Channel, RequestType, ServiceRequest, Status
from tests.conftest import PASSWORD
from tests.eservice.conftest import new_request

pytestmark = pytest.mark.django_db


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_pages_need_a_login(client: Client, stations: dict[str, Any]) -> None:
    assert client.get("/eservice/").status_code == 302
    assert client.get("/api/v1/eservice/requests").status_code == 401


def test_dashboard_shows_workload_overdue_satisfaction_and_topics(client: Client, stations: dict[str, Any]) -> None:
    for n in (1, 2):
        new_request(f"测试村村口路灯又坏了{n}次，晚上很黑")
    sensing.cluster_recent()
    html = login(client, "town_staff").get("/eservice/").content.decode()
    assert "测试村网信通服务e站" in html and 'id="es-chart-data"' in html
    assert "测试村村口路灯又坏了1次" in html  # the recurring topic
    assert "本周 2 件，上周 0 件" in html and "↑" in html  # and its trend


def test_list_is_scoped_and_masked(client: Client, stations: dict[str, Any]) -> None:
    req = new_request()
    html = login(client, "village_staff").get("/eservice/requests/").content.decode()
    assert req.receipt_no in html and "张*" in html and "138****5678" in html
    assert "张三" not in html and "13812345678" not in html
    outsider = login(Client(), "outsider")
    assert req.receipt_no not in outsider.get("/eservice/requests/").content.decode()
    assert outsider.get(f"/eservice/requests/{req.receipt_no}/").status_code == 404


def test_reveal_is_for_the_assigned_staff_and_audited(client: Client, stations: dict[str, Any]) -> None:
    req = new_request()
    staff = login(client, "village_staff")
    assert "张三" not in staff.get(f"/eservice/requests/{req.receipt_no}/").content.decode()
    revealed = staff.post(f"/eservice/requests/{req.receipt_no}/reveal/")
    assert "张三" in revealed.content.decode() and "13812345678" in revealed.content.decode()
    assert AuditEntry.objects.filter(action="eservice.request.reveal", actor=stations["village_staff"]).exists()
    above = login(Client(), "town_staff")
    assert above.post(f"/eservice/requests/{req.receipt_no}/reveal/").status_code == 403


def test_actions_drive_the_loop(client: Client, stations: dict[str, Any]) -> None:
    req = new_request()
    town = login(client, "town_staff")
    village = login(Client(), "village_staff")
    url = f"/eservice/requests/{req.receipt_no}"
    town.post(f"{url}/dispatch/", {"dispatch-department": stations["village"].pk, "dispatch-note": "请核实"})
    village.post(f"{url}/start/")
    village.post(f"{url}/contact/", {"contact-kind": "call", "contact-note": "已电话联系居民"})
    village.post(f"{url}/reply/", {"reply-text": "已修复"})
    town.post(f"{url}/close/")
    town.post(f"{url}/follow_up/", {"follow_up-note": "居民满意", "follow_up-rating": "5"})
    req.refresh_from_db()
    assert req.status == Status.RATED and req.contacts.count() == 2
    page = town.get(f"{url}/").content.decode()
    assert "已修复" in page


def test_mediation_session_and_agreement_from_the_page(client: Client, stations: dict[str, Any]) -> None:
    req = new_request("邻居占用公共通道堆放杂物，请求调解", code="mediation")
    staff = login(client, "village_staff")
    url = f"/eservice/requests/{req.receipt_no}"
    staff.post(f"{url}/session/", {"session-held_at": "2026-11-20T10:00", "session-place": "村调解室",
                                   "session-participants": "张三、李四、调解员", "session-notes": "双方各自让步"})
    staff.post(f"{url}/agreement/", {"agreement-parties": "张三、李四", "agreement-terms": "三日内清理通道",
                                     "agreement-signed_on": "2026-11-20"})
    page = staff.get(f"{url}/").content.decode()
    assert "村调解室" in page and "三日内清理通道" in page
    bad = staff.post(f"{url}/session/", {"session-held_at": "昨天"}, follow=True).content.decode()
    assert "日期" in bad or "时间" in bad
    assert req.mediation_sessions.count() == 1


def test_a_refused_action_is_explained(client: Client, stations: dict[str, Any]) -> None:
    req = new_request()
    response = login(client, "town_staff").post(f"/eservice/requests/{req.receipt_no}/close/", follow=True)
    assert "不能" in response.content.decode()
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED


def test_staff_enter_a_phone_call(client: Client, stations: dict[str, Any]) -> None:
    response = login(client, "town_staff").post("/eservice/requests/new/", {
        "request_type": RequestType.objects.get(code="complaint").pk, "description": "来电反映测试镇中心街噪音扰民",
        "place": "镇中心街", "name": "赵六", "phone": "", "channel": Channel.PHONE, "station": ""})
    req = ServiceRequest.objects.get()
    assert response.status_code == 302 and req.channel == "phone" and req.station == stations["town"]
    assert req.transitions.get().actor == stations["town_staff"]


def test_export_is_masked_and_audited(client: Client, stations: dict[str, Any]) -> None:
    new_request()
    response = login(client, "town_staff").get("/eservice/requests/export.xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "受理编号" and rows[1][8] == "张*" and rows[1][9] == "138****5678"
    assert AuditEntry.objects.filter(action="eservice.request.export").exists()


def test_api_lists_scoped_masked_requests(client: Client, stations: dict[str, Any]) -> None:
    req = new_request()
    data = login(client, "village_staff").get("/api/v1/eservice/requests").json()
    assert [r["receipt_no"] for r in data] == [req.receipt_no]
    assert data[0]["phone_masked"] == "138****5678" and "phone" not in data[0]
    assert login(Client(), "outsider").get("/api/v1/eservice/requests").json() == []
    figures = client.get("/api/v1/eservice/stations/figures").json()
    assert figures[0]["open"] == 1


def test_figures_count_a_request_shared_twice_once(client: Client, stations: dict[str, Any]) -> None:
    req = new_request(place="测试镇")
    town_staff = stations["town_staff"]
    services.dispatch(req, stations["village"], actor=town_staff)
    services.return_to_station(req, actor=stations["village_staff"], reason="不属本村")
    services.dispatch(req, stations["town"], actor=town_staff)
    assert req.shared_with.count() == 2
    figures = login(client, "town_staff").get("/api/v1/eservice/stations/figures").json()
    assert [(f["total"], f["open"]) for f in figures] == [(1, 1)]
    html = client.get("/eservice/").content.decode()
    assert 'id="kpi-open">1<' in html


def test_stations_page(client: Client, stations: dict[str, Any]) -> None:
    html = login(client, "town_staff").get("/eservice/stations/").content.decode()
    assert "测试村村委会" in html and "村e站工作人员" in html
