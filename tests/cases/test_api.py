"""Leads from other systems over the API, and case transitions through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from qinglang.cases.models import Case, Report
from qinglang.core.models import ApiToken


def test_a_monitoring_alert_becomes_a_lead_with_a_token(client: Client, org: dict[str, Any]) -> None:
    _token, raw = ApiToken.issue(org["duty"], "monitor")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    payload = {"source": "alert", "source_ref": "alert:77", "description": "监测发现多个账号集中发布相同负面内容。",
               "category": "SMEAR.ASTROTURF", "target_url": "https://bbs.example.com/t/9"}
    response = client.post("/api/v1/cases/reports", payload, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert report.source == "alert" and report.category.code == "SMEAR.ASTROTURF"  # type: ignore[union-attr]
    again = client.post("/api/v1/cases/reports", payload, content_type="application/json", **auth).json()
    assert again["duplicate_of"] == report.pk


def test_bad_api_input_is_refused(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    bad_category = client.post("/api/v1/cases/reports", {"description": "x", "category": "NOPE"},
                               content_type="application/json")
    assert bad_category.status_code == 400 and "NOPE" in bad_category.json()["detail"]
    public = client.post("/api/v1/cases/reports", {"description": "x", "source": "public"},
                         content_type="application/json")
    assert public.status_code == 400
    client.force_login(org["town_staff"])
    refused = client.post("/api/v1/cases/reports", {"description": "x"}, content_type="application/json")
    assert refused.status_code == 403


def test_transition_errors_are_409(client: Client, make_case: Callable[..., Case], org: dict[str, Any]) -> None:
    case = make_case()
    client.force_login(org["duty"])
    response = client.post(f"/api/v1/cases/{case.pk}/transition", {"to_status": "closed", "reason": "x",
                                                                     "legal_basis": "y"},
                           content_type="application/json")
    assert response.status_code == 409 and "不能从" in response.json()["detail"]
    ok = client.post(f"/api/v1/cases/{case.pk}/transition", {"to_status": "triaged", "reason": "研判"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "triaged"
    assert [t["to_status"] for t in ok.json()["transitions"]] == ["received", "triaged"]


def test_a_lone_surrogate_escape_in_a_lead_is_a_blemish_not_a_server_error(client: Client, org: dict[str, Any]) -> None:
    _token, raw = ApiToken.issue(org["duty"], "monitor")
    body = '{"source": "alert", "description": "监测发现\\ud800异常帖文集中出现。"}'   # valid JSON
    response = client.post("/api/v1/cases/reports", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201, response.content
    assert Report.objects.get(pk=response.json()["id"]).description == "监测发现\ufffd异常帖文集中出现。"



def test_a_field_longer_than_its_column_is_refused_by_name(client: Client, org: dict[str, Any]) -> None:
    _token, raw = ApiToken.issue(org["duty"], "monitor")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    payload = {"source": "alert", "description": "监测线索", "source_ref": "x" * 101}
    response = client.post("/api/v1/cases/reports", payload, content_type="application/json", **auth)
    assert response.status_code == 422 and "source_ref" in response.content.decode()
    assert not Report.objects.exists()


def test_a_long_or_odd_target_url_still_compares_and_is_stored(client: Client, org: dict[str, Any]) -> None:
    from qinglang.cases.services import normalize_target

    long_query = "https://bbs.example.com/t?q=" + "清溪" * 80   # percent-encoding triples it
    assert len(normalize_target(long_query)) <= 500
    assert normalize_target(long_query) == normalize_target(long_query + "&utm_source=x")
    assert normalize_target("http://bbs.example.com:99999/t/9") == "bbs.example.com/t/9"
    _token, raw = ApiToken.issue(org["duty"], "monitor")
    payload = {"source": "alert", "description": "监测线索", "target_url": long_query}
    first = client.post("/api/v1/cases/reports", payload, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {raw}")
    again = client.post("/api/v1/cases/reports", payload, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert first.status_code == again.status_code == 201 and again.json()["duplicate_of"] == first.json()["id"]
