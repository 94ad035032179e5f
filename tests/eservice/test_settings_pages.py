"""Staff pages for station profiles and request types: who may edit, what is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qinglang.audit.models import AuditEntry
from qinglang.eservice.models import RequestType, StationProfile
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = {"service_area": "测试村\n村东水库\n村西小学", "address": "测试村党群服务中心",
           "opening_hours": "工作日 8:30–17:30", "phone": "0595-1234567", "latitude": "25.2", "longitude": "119.0"}


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def type_data(**overrides: Any) -> dict[str, Any]:
    return {"name": "消费维权", "code": "consumer", "description": "购物、服务消费纠纷", "time_limit_days": "5",
            "department": "", "auto_dispatch": "on", "order": "70", "is_active": "on"} | overrides


def test_station_staff_edit_their_profile_and_it_is_audited(stations: dict[str, Any]) -> None:
    staff = login("village_staff")
    page = staff.get("/eservice/stations/village/edit/").content.decode()
    assert "村e站工作人员" in page and "测试村村委会" in page  # the staff list and the current profile
    response = staff.post("/eservice/stations/village/edit/", PROFILE)
    assert response.status_code == 302
    profile = StationProfile.objects.get(department=stations["village"])
    assert profile.area_names() == ["测试村", "村东水库", "村西小学"] and profile.phone == "0595-1234567"
    entry = AuditEntry.objects.get(action="eservice.station.updated")
    assert entry.actor == stations["village_staff"] and entry.detail["station"] == "village"
    assert entry.detail["changes"]["address"] == ["测试村村委会", "测试村党群服务中心"]
    assert "latitude" not in entry.detail["changes"]  # unchanged fields are not listed


def test_the_station_above_may_edit_and_create_a_profile(stations: dict[str, Any]) -> None:
    StationProfile.objects.filter(department=stations["village"]).delete()
    listing = login("town_staff").get("/eservice/stations/").content.decode()
    assert "/eservice/stations/village/edit/" in listing and "/eservice/stations/town/edit/" in listing
    assert login("town_staff").post("/eservice/stations/village/edit/", PROFILE).status_code == 302
    assert StationProfile.objects.get(department=stations["village"]).address == "测试村党群服务中心"


def test_others_get_404_or_403(stations: dict[str, Any]) -> None:
    # The village cannot see the town above it; an outsider sees no station at all.
    assert login("village_staff").get("/eservice/stations/town/edit/").status_code == 404
    outsider = login("outsider")
    assert outsider.get("/eservice/stations/village/edit/").status_code == 404
    assert outsider.post("/eservice/stations/village/edit/", PROFILE).status_code == 404
    assert outsider.get("/eservice/types/").status_code == 403
    assert outsider.post("/eservice/types/new/", type_data()).status_code == 403
    assert login("village_staff").get("/eservice/types/").status_code == 403
    assert StationProfile.objects.get(department=stations["village"]).address == "测试村村委会"
    assert not RequestType.objects.filter(code="consumer").exists()
    assert not AuditEntry.objects.filter(action__startswith="eservice.station.").exists()


def test_pages_need_a_login(stations: dict[str, Any]) -> None:
    assert Client().get("/eservice/types/").status_code == 302
    assert Client().get("/eservice/stations/village/edit/").status_code == 302


def test_the_office_lists_creates_and_edits_request_types(stations: dict[str, Any]) -> None:
    duty = login("duty")
    listing = duty.get("/eservice/types/").content.decode()
    assert "矛盾纠纷化解" in listing and "/eservice/types/new/" in listing
    response = duty.post("/eservice/types/new/", type_data(department=stations["police"].pk))
    assert response.status_code == 302
    created = RequestType.objects.get(code="consumer")
    assert created.dispatches_automatically and created.time_limit_days == 5
    assert AuditEntry.objects.get(action="eservice.request_type.created").actor == stations["duty"]

    # Edit: the code stays (Open311 clients know the type by it), auto-dispatch goes off.
    edit = type_data(code="renamed", time_limit_days="7", department=stations["police"].pk)
    del edit["auto_dispatch"]
    assert duty.post(f"/eservice/types/{created.pk}/", edit).status_code == 302
    created.refresh_from_db()
    assert (created.code, created.time_limit_days, created.auto_dispatch) == ("consumer", 7, False)
    changes = AuditEntry.objects.get(action="eservice.request_type.updated").detail["changes"]
    assert changes == {"time_limit_days": ["5", "7"], "auto_dispatch": ["True", "False"]}
    assert "由e站派单" in duty.get("/eservice/types/").content.decode()


def test_a_bad_request_type_is_explained(stations: dict[str, Any]) -> None:
    html = login("duty").post("/eservice/types/new/", type_data(code="help", time_limit_days="-1")).content.decode()
    assert 'class="errors"' in html
    assert RequestType.objects.filter(code="help").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="eservice.request_type.").exists()


def test_navigation_links_to_the_settings(stations: dict[str, Any]) -> None:
    assert "/eservice/types/" in login("duty").get("/eservice/").content.decode()
    town = login("town_staff").get("/eservice/").content.decode()
    assert "/eservice/stations/" in town and "/eservice/types/" not in town
    assert "/eservice/types/" in login("admin").get("/eservice/stations/").content.decode()
