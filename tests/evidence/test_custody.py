"""Custody chain, sharing between departments, scoping of pages and API, audit of every read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.audit.models import AuditEntry
from qinglang.evidence import services
from qinglang.evidence.models import Batch, Capture, CustodyEvent
from tests.evidence.conftest import capture_now
from tests.evidence.site import Site

pytestmark = pytest.mark.usefixtures("evidence_settings")
URL = "http://127.0.0.1:9/page"  # never fetched: these captures stay queued


@pytest.fixture
def item(org: dict[str, Any]) -> Capture:
    return services.request_capture(org["duty"], URL, "网民举报谣言", case_reference="清网〔2026〕7号", enqueue=False)


def detail(item: Capture) -> str:
    return reverse("evidence-detail", args=[item.public_id])


def test_custody_chain_links_each_event_and_detects_edits(org: dict[str, Any], item: Capture) -> None:
    services.viewed(item, org["duty"])
    services.share(item, org["police"], org["duty"])
    events = list(item.custody.order_by("seq"))
    assert [e.action for e in events] == ["created", "viewed", "shared"]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert services.verify_custody(item) == (True, None)
    CustodyEvent.objects.filter(pk=events[1].pk).update(detail={"note": "改过"})
    assert services.verify_custody(item) == (False, 2)


def test_deleted_custody_event_is_detected(org: dict[str, Any], item: Capture) -> None:
    services.viewed(item, org["duty"])
    services.viewed(item, org["duty"])
    CustodyEvent.objects.filter(capture=item, seq=2).delete()
    assert services.verify_custody(item) == (False, 2)


def test_police_see_only_what_is_shared_with_them(client: Client, org: dict[str, Any], item: Capture) -> None:
    client.force_login(org["police_liaison"])
    assert client.get(detail(item)).status_code == 404
    assert item.public_id not in client.get(reverse("evidence-list")).content.decode()
    client.force_login(org["duty"])
    response = client.post(reverse("evidence-share", args=[item.public_id]), {"department": org["police"].pk})
    assert response.status_code == 302
    client.force_login(org["police_liaison"])
    assert item.public_id in client.get(reverse("evidence-list")).content.decode()
    page = client.get(detail(item)).content.decode()
    assert "测试市公安局网安支队" in page and "网民举报谣言" in page
    shared = item.custody.get(action="shared")
    assert shared.actor == org["duty"] and shared.detail["department"] == "测试市公安局网安支队"
    assert AuditEntry.objects.filter(action="evidence.viewed", actor=org["police_liaison"]).count() == 1


def test_other_departments_see_nothing(client: Client, org: dict[str, Any], item: Capture) -> None:
    services.share(item, org["police"], org["duty"])
    for name in ("outsider", "town_staff", "village_staff"):
        client.force_login(org[name])
        assert client.get(detail(item)).status_code == 404, name
        assert client.get(reverse("evidence-download", args=[item.public_id])).status_code == 404
    client.force_login(org["outsider"])
    assert client.get("/api/v1/evidence/captures").json() == []


def test_a_department_it_was_shared_with_cannot_share_it_on(client: Client, org: dict[str, Any], item: Capture) -> None:
    services.share(item, org["police"], org["duty"])
    client.force_login(org["police_liaison"])
    response = client.post(reverse("evidence-share", args=[item.public_id]), {"department": org["outsider_dept"].pk})
    assert response.status_code == 403
    assert list(item.shared_with.all()) == [org["police"]]
    assert AuditEntry.objects.filter(action="auth.permission_denied", actor=org["police_liaison"]).exists()


def test_station_staff_cannot_capture(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["town_staff"])
    assert client.get(reverse("evidence-new")).status_code == 403
    assert client.post(reverse("evidence-new"), {"url": URL, "reason": "x"}).status_code == 403
    assert not Capture.objects.exists()


def test_form_explains_refused_urls_in_chinese_and_keeps_input(
    client: Client, org: dict[str, Any], settings: Any
) -> None:
    settings.QINGLANG_ALLOW_PRIVATE_URLS = False
    client.force_login(org["duty"])
    response = client.post(reverse("evidence-new"), {"url": "http://192.168.1.10/admin", "reason": "核查"})
    page = response.content.decode()
    assert response.status_code == 200 and "拒绝访问内网或本机地址" in page and "http://192.168.1.10/admin" in page
    page = client.post(reverse("evidence-new"), {"url": "ftp://files.example/x", "reason": "核查"}).content.decode()
    assert "只能提取 http 或 https 网址" in page


def test_one_click_from_an_alert_prefills_the_form(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    page = client.get(
        reverse("evidence-new"),
        {"url": "https://news.example/p/1", "source": "monitor.alert:9", "case": "清网〔2026〕3号"},
    ).content.decode()
    assert (
        'value="https://news.example/p/1"' in page and 'value="monitor.alert:9"' in page and "清网〔2026〕3号" in page
    )


def test_form_queues_a_capture_and_shows_its_progress(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    response = client.post(reverse("evidence-new"), {"url": URL, "reason": "网民举报", "source": "monitor.document:4"})
    capture = Capture.objects.get()
    assert response["Location"] == detail(capture)
    assert (capture.status, capture.source, capture.department) == ("queued", "monitor.document:4", org["office"])
    page = client.get(detail(capture)).content.decode()
    assert "排队" in page and reverse("evidence-progress", args=[capture.public_id]) in page


def test_batch_keeps_raw_input_and_explains_refused_lines(client: Client, org: dict[str, Any], settings: Any) -> None:
    client.force_login(org["duty"])
    text = f"{URL}\n\nftp://bad.example/file\n   {URL}?b=2  \nnot a url\n"
    response = client.post(reverse("evidence-batch"), {"urls": text, "reason": "批量核查"})
    batch = Batch.objects.get()
    assert response["Location"] == reverse("evidence-batch-detail", args=[batch.pk])
    assert batch.raw_input.replace("\r\n", "\n") == text and batch.captures.count() == 2
    assert [r["line"] for r in batch.refused] == ["ftp://bad.example/file", "not a url"]
    page = client.get(response["Location"]).content.decode()
    assert "ftp://bad.example/file" in page and "只能提取 http 或 https 网址" in page


def test_api_lists_reads_and_requests_captures(client: Client, org: dict[str, Any], item: Capture) -> None:
    client.force_login(org["duty"])
    listed = client.get("/api/v1/evidence/captures").json()
    assert [c["public_id"] for c in listed] == [item.public_id] and listed[0]["department"] == "测试市委网信办"
    one = client.get(f"/api/v1/evidence/captures/{item.public_id}").json()
    assert one["case_reference"] == "清网〔2026〕7号"
    assert item.custody.filter(action="viewed", actor=org["duty"]).exists()
    created = client.post(
        "/api/v1/evidence/captures", json.dumps({"url": URL, "reason": "接口取证"}), content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == "queued"
    refused = client.post(
        "/api/v1/evidence/captures",
        json.dumps({"url": "file:///etc/passwd", "reason": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 422 and "http" in refused.json()["detail"]
    client.force_login(org["police_liaison"])
    assert client.get(f"/api/v1/evidence/captures/{item.public_id}").status_code == 404


def test_download_is_logged_in_custody_and_audit(client: Client, org: dict[str, Any], site: Site) -> None:
    capture = capture_now(org["duty"], f"{site.base}/slow")
    services.share(capture, org["police"], org["duty"])
    client.force_login(org["police_liaison"])
    response = client.get(reverse("evidence-download", args=[capture.public_id]))
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response.status_code == 200 and body.startswith(b"PK")
    exported = capture.custody.get(action="exported")
    assert exported.actor == org["police_liaison"] and exported.department_name == "测试市公安局网安支队"
    assert AuditEntry.objects.filter(action="evidence.exported", actor=org["police_liaison"]).exists()
    shot = client.get(reverse("evidence-screenshot", args=[capture.public_id]))
    assert shot["Content-Type"] == "image/png" and AuditEntry.objects.filter(action="evidence.artefact_read").exists()
