"""Automatic dispatch (派单) by request type: a type that names a department sends its new
requests there through the state machine; without one (or switched off) the station dispatches."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qinglang.audit.models import AuditEntry
from qinglang.eservice import services
from qinglang.eservice.models import Channel, RequestType, ServiceRequest, Status
from tests.conftest import PASSWORD
from tests.eservice.conftest import new_request

pytestmark = pytest.mark.django_db


def handled_by(code: str, department: Any, *, auto: bool = True) -> RequestType:
    RequestType.objects.filter(code=code).update(department=department, auto_dispatch=auto)
    return RequestType.objects.get(code=code)


def test_a_type_with_a_department_is_dispatched_on_acceptance(stations: dict[str, Any]) -> None:
    handled_by("complaint", stations["police"])
    req = new_request("测试村有人冒充民警打电话诈骗", code="complaint")
    assert req.status == Status.DISPATCHED and req.handling_department == stations["police"]
    assert req.station == stations["village"] and req.assignee is None
    accepted, dispatched = req.transitions.all()
    assert (accepted.to_status, dispatched.from_status, dispatched.to_status) == (
        Status.ACCEPTED, Status.ACCEPTED, Status.DISPATCHED)
    assert dispatched.actor is None  # the system, shown as such on the page
    assert "自动派单" in dispatched.reason and "测试市公安局网安支队" in dispatched.reason
    audit = AuditEntry.objects.get(action="eservice.request.dispatched", target_id=str(req.pk))
    assert audit.detail["automatic"] is True and audit.detail["department"] == "police"


def test_the_department_can_take_up_an_automatically_dispatched_request(stations: dict[str, Any]) -> None:
    handled_by("complaint", stations["police"])
    req = new_request("测试村有人冒充民警打电话诈骗", code="complaint")
    assert req.shared_with.filter(pk=stations["police"].pk).exists()
    services.start(req, actor=stations["police_liaison"])
    assert req.status == Status.IN_PROGRESS and req.assignee == stations["police_liaison"]


def test_a_type_without_a_department_stays_with_the_station(stations: dict[str, Any]) -> None:
    req = new_request()
    assert RequestType.objects.get(code="help").department is None
    assert req.status == Status.ACCEPTED and req.handling_department is None
    assert [t.to_status for t in req.transitions.all()] == [Status.ACCEPTED]
    assert not AuditEntry.objects.filter(action="eservice.request.dispatched").exists()


def test_automatic_dispatch_can_be_switched_off_per_type(stations: dict[str, Any]) -> None:
    handled_by("complaint", stations["police"], auto=False)
    req = new_request("测试村有人冒充民警打电话诈骗", code="complaint")
    assert req.status == Status.ACCEPTED and req.transitions.count() == 1
    # The station dispatches by hand; the form suggests the type's department.
    page = Client()
    assert page.login(username="village_staff", password=PASSWORD)
    html = page.get(f"/eservice/requests/{req.receipt_no}/").content.decode()
    assert f'<option value="{stations["police"].pk}" selected>' in html
    services.dispatch(req, stations["police"], actor=stations["village_staff"])
    assert req.transitions.last().actor == stations["village_staff"]  # type: ignore[union-attr]


def test_an_inactive_department_is_not_dispatched_to(stations: dict[str, Any]) -> None:
    police = stations["police"]
    police.is_active = False
    police.save()
    handled_by("complaint", police)
    assert new_request("测试村有人冒充民警打电话诈骗", code="complaint").status == Status.ACCEPTED


def test_a_returned_request_waits_for_the_station(stations: dict[str, Any]) -> None:
    handled_by("complaint", stations["police"])
    req = new_request("测试村有人冒充民警打电话诈骗", code="complaint")
    services.return_to_station(req, actor=stations["police_liaison"], reason="不属网安管辖")
    assert req.status == Status.ACCEPTED and req.handling_department is None


def test_staff_entry_is_dispatched_by_the_system_not_the_clerk(client: Client, stations: dict[str, Any]) -> None:
    rt = handled_by("complaint", stations["police"])
    assert client.login(username="town_staff", password=PASSWORD)
    client.post("/eservice/requests/new/", {
        "request_type": rt.pk, "description": "来电反映有人冒充民警诈骗", "place": "镇中心街", "name": "赵六",
        "phone": "", "channel": Channel.PHONE, "station": ""})
    req = ServiceRequest.objects.get()
    assert [(t.to_status, t.actor) for t in req.transitions.all()] == [
        (Status.ACCEPTED, stations["town_staff"]), (Status.DISPATCHED, None)]
    html = client.get(f"/eservice/requests/{req.receipt_no}/").content.decode()
    assert "自动派单" in html and "测试市公安局网安支队" in html
