"""The residents' pages: no login, validated, rate-limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qinglang.audit.models import AuditEntry
from qinglang.eservice import services
from qinglang.eservice.models import RequestType, ServiceRequest, Status
from tests.eservice.conftest import new_request

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    return {"request_type": RequestType.objects.get(code="help").pk, "description": "测试村村口路灯坏了一个星期",
            "place": "测试村", "name": "王五", "phone": "139 0000 4321", "website": ""} | overrides


def test_form_needs_no_login_and_gives_a_receipt(client: Client, stations: dict[str, Any]) -> None:
    page = client.get("/service/")
    assert page.status_code == 200 and "留言" in page.content.decode()
    response = client.post("/service/", form_data())
    req = ServiceRequest.objects.get()
    assert response.status_code == 200 and req.receipt_no in response.content.decode()
    assert (req.channel, req.phone, req.station) == ("web", "13900004321", stations["village"])
    assert "测试村村口路灯" in req.raw


def test_bad_input_is_explained_in_chinese_and_kept(client: Client, stations: dict[str, Any]) -> None:
    response = client.post("/service/", form_data(phone="12", description="短"))
    html = response.content.decode()
    assert response.status_code == 200 and ServiceRequest.objects.count() == 0
    assert "13812345678" in html  # the phone example in the error message
    assert "短" in html  # what the resident typed is still there


def test_form_is_rate_limited_per_address(client: Client, stations: dict[str, Any], settings: Any) -> None:
    settings.ESERVICE_FORM_LIMIT_PER_HOUR = 2
    assert [client.post("/service/", form_data()).status_code for _ in range(3)] == [200, 200, 429]
    assert ServiceRequest.objects.count() == 2


def test_honeypot_filled_by_a_bot_creates_nothing(client: Client, stations: dict[str, Any]) -> None:
    client.post("/service/", form_data(website="http://spam.example"))
    assert ServiceRequest.objects.count() == 0


def test_track_and_rate(client: Client, stations: dict[str, Any]) -> None:
    req = new_request()
    wrong = client.post("/service/track/", {"receipt_no": req.receipt_no, "phone_last4": "0000"})
    assert "不匹配" in wrong.content.decode()
    assert AuditEntry.objects.filter(action="eservice.track_failed").count() == 1
    found = client.post("/service/track/", {"receipt_no": req.receipt_no, "phone_last4": "5678"})
    html = found.content.decode()
    assert "es-status-accepted\">受理<" in html and "张三" not in html and 'name="rating"' not in html
    for step in (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED):
        services.transition(req, step, reply="路灯已修好")
    services.close(req, actor=stations["village_staff"])
    page = client.post("/service/track/", {"receipt_no": req.receipt_no, "phone_last4": "5678"}).content.decode()
    assert "路灯已修好" in page and 'name="rating"' in page
    rated = client.post("/service/track/", {"receipt_no": req.receipt_no, "phone_last4": "5678", "rating": "4",
                                            "comment": "处理及时"})
    req.refresh_from_db()
    assert (req.status, req.rating, req.rating_comment) == (Status.RATED, 4, "处理及时")
    assert "4/5" in rated.content.decode()


def test_tracking_failures_are_rate_limited(client: Client, stations: dict[str, Any], settings: Any) -> None:
    settings.ESERVICE_TRACK_FAILURE_LIMIT = 3
    req = new_request()
    for digits in ("0001", "0002", "0003"):
        client.post("/service/track/", {"receipt_no": req.receipt_no, "phone_last4": digits})
    blocked = client.post("/service/track/", {"receipt_no": req.receipt_no, "phone_last4": "5678"})
    assert blocked.status_code == 429


def test_station_directory_is_public(client: Client, stations: dict[str, Any]) -> None:
    html = client.get("/service/stations/").content.decode()
    assert "测试村网信通服务e站" in html and "测试村村委会" in html
