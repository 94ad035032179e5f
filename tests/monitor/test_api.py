"""The push API and the read API: token auth, batches, idempotency, per-item errors, paging."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinglang.core.models import ApiToken
from qinglang.monitor.models import Document, Event, RawInput, Source
from qinglang.monitor.processing import process_partition
from tests.conftest import PASSWORD
from tests.monitor.corpus import stream


def bearer(user: Any) -> dict[str, str]:
    _, raw = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def push(client: Client, headers: dict[str, str], body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post("/api/v1/documents", data=data, content_type="application/json", **headers)


@pytest.fixture
def duty_token(org: dict[str, Any]) -> dict[str, str]:
    return bearer(org["duty"])


def test_push_stores_new_items_and_reports_duplicates_and_errors(
    client: Client, duty_token: dict[str, str], queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    items = [*stream(3), {"id": "bad", "text": ""}, {"id": "late", "text": "正文", "time": "昨天"}]
    with django_capture_on_commit_callbacks(execute=True):
        first = push(client, duty_token, {"source": "合作平台", "items": items}).json()
    assert (first["created"], first["duplicates"], first["errors"]) == (3, 0, 2)
    assert first["results"][3]["error"].startswith("缺少正文")
    assert "时间格式无效" in first["results"][4]["error"]
    again = push(client, duty_token, {"source": "合作平台", "items": stream(3)}).json()
    assert (again["created"], again["duplicates"]) == (0, 3)
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"][:3]]
    assert Document.objects.count() == 3
    assert RawInput.objects.filter(channel="api").count() == 2  # the bad items are kept, not dropped
    assert ("qinglang.monitor.tasks.process_pending", ("zh",)) in queued


def test_same_url_without_id_is_one_document(client: Client, duty_token: dict[str, str]) -> None:
    item = {"url": "https://news.example.cn/x.html", "text": "同一篇文章"}
    push(client, duty_token, [item])
    result = push(client, duty_token, [dict(item, text="同一篇文章（转载）")]).json()
    assert result["duplicates"] == 1
    assert Document.objects.count() == 1


def test_html_instead_of_json_gets_a_clear_error_and_is_kept(client: Client, duty_token: dict[str, str]) -> None:
    response = push(client, duty_token, "<html><body>502 Bad Gateway</body></html>")
    assert response.status_code == 400
    assert "不是有效的 JSON" in response.json()["detail"]
    assert RawInput.objects.get().payload.startswith("<html>")


def test_batches_over_the_limit_are_refused(client: Client, duty_token: dict[str, str], settings: Any) -> None:
    settings.MONITOR_BATCH_LIMIT = 5
    response = push(client, duty_token, stream(6))
    assert response.status_code == 413
    assert "最多提交 5 条" in response.json()["detail"]
    assert Document.objects.count() == 0


def test_push_needs_a_token_and_a_monitor_role(client: Client, org: dict[str, Any]) -> None:
    assert push(client, {}, stream(1)).status_code == 401
    assert push(client, bearer(org["town_staff"]), stream(1)).status_code == 403


def test_a_source_of_another_department_cannot_be_pushed_to(client: Client, org: dict[str, Any]) -> None:
    Source.objects.create(name="公安内部源", kind="push", department=org["police"])
    org["outsider"].role = "analyst"
    org["outsider"].save()
    response = push(client, bearer(org["outsider"]), {"source": "公安内部源", "items": stream(1)})
    assert response.status_code == 403


def test_events_and_documents_are_read_with_paging(
    client: Client, org: dict[str, Any], duty_token: dict[str, str]
) -> None:
    push(client, duty_token, {"source": "合作平台", "items": stream(40)})
    process_partition("zh")
    page = client.get("/api/v1/events?page_size=2", **duty_token).json()
    assert page["count"] == Event.objects.count() > 2
    assert len(page["items"]) == 2
    heats = [e["heat"] for e in page["items"]]
    assert heats == sorted(heats, reverse=True)
    event = page["items"][0]
    docs = client.get(f"/api/v1/documents?event={event['id']}&page_size=500", **duty_token).json()
    assert docs["count"] == event["size"] == len(docs["items"])
    assert {d["event_id"] for d in docs["items"]} == {event["id"]}
    second = client.get("/api/v1/events?page=2&page_size=2", **duty_token).json()
    assert {e["id"] for e in second["items"]}.isdisjoint({e["id"] for e in page["items"]})


def test_read_api_is_scoped_to_the_department(client: Client, org: dict[str, Any]) -> None:
    push(client, bearer(org["duty"]), {"source": "合作平台", "items": stream(5)})
    process_partition("zh")
    event = Event.objects.first()
    assert event is not None
    outsider = bearer(org["outsider"])
    # The outsider's role may not use the monitor at all; an analyst elsewhere sees nothing.
    assert client.get("/api/v1/events", **outsider).status_code == 403
    org["outsider"].role = "analyst"
    org["outsider"].save()
    assert client.get("/api/v1/events", **outsider).json()["count"] == 0
    assert client.get(f"/api/v1/events/{event.pk}", **outsider).status_code == 404
    assert client.get("/api/v1/documents", **outsider).json()["count"] == 0


def test_the_same_item_twice_in_one_batch_is_stored_once(client: Client, duty_token: dict[str, str]) -> None:
    item = {"id": "twice", "text": "同一批次里的同一条"}
    result = push(client, duty_token, [item, item]).json()
    assert [r["status"] for r in result["results"]] == ["created", "duplicate"]
    assert result["results"][0]["id"] == result["results"][1]["id"] == Document.objects.get().pk


KINDS_STREAM = [
    "云帆股份(830199)信披违规遭交易所通报批评 未及时披露重大合同",
    "云帆股份(830199)控股股东拟变更为临川国资 实控人将易主",
    "云帆股份(830199)涉嫌信息披露违法被证监会立案调查",
    "云帆股份(830199)实际控制人变更获批 临川国资正式入主",
]


def test_events_carry_their_kind_of_news_and_are_filtered_by_it(
    client: Client, org: dict[str, Any], duty_token: dict[str, str]
) -> None:
    """One company, two kinds of news: two events, each named by its kind on the page and in
    the API, and the kind filter keeps one."""
    items = [{"id": f"k{i}", "text": t, "time": 1_767_225_600 + 60 * i} for i, t in enumerate(KINDS_STREAM)]
    push(client, duty_token, {"source": "合作平台", "items": items})
    process_partition("zh")
    assert sorted(Event.objects.values_list("kind", flat=True)) == ["CONTROL_CHANGE", "DISCLOSURE"]
    body = client.get("/api/v1/events", {"kind": "DISCLOSURE"}, **duty_token).json()
    assert [(e["kind"], e["kind_name"], e["size"]) for e in body["items"]] == [("DISCLOSURE", "信息披露违规", 2)]
    assert client.login(username=org["duty"].username, password=PASSWORD)
    page = client.get(reverse("monitor-events"), {"kind": "CONTROL_CHANGE", "days": ""})
    assert [row["event"].kind for row in page.context["rows"]] == ["CONTROL_CHANGE"]
    html = page.content.decode()
    assert "实控人或股东变更" in html and '<option value="DISCLOSURE">信息披露违规</option>' in html
    event = Event.objects.get(kind="DISCLOSURE")
    assert "信息披露违规" in client.get(reverse("monitor-event", args=[event.pk])).content.decode()


def test_an_event_is_labelled_by_the_headline_about_its_company(
    client: Client, org: dict[str, Any], duty_token: dict[str, str]
) -> None:
    """Items that run several headlines together: the event's title on the page and in the API
    becomes the first item's headline about the company the event is about."""
    items = [{"id": f"h{i}", "text": t, "time": 1_767_225_600 + 60 * i} for i, t in enumerate([
        "临川银行（830555）股东减持300万股云帆集团（830101）涉嫌财务造假，被证监会立案调查",
        "青禾食品(830777)发布年度报告云帆集团(830101)财务造假案细节曝光",
    ])]
    push(client, duty_token, {"source": "合作平台", "items": items})
    process_partition("zh")
    event = Event.objects.get(size=2)
    assert event.label == "云帆集团（830101）涉嫌财务造假，被证监会立案调查"
    body = client.get(f"/api/v1/events/{event.pk}", **duty_token).json()
    assert body["label"] == event.label
    assert client.login(username=org["duty"].username, password=PASSWORD)
    assert event.label in client.get(reverse("monitor-event", args=[event.pk])).content.decode()


def test_odd_but_valid_json_is_an_item_error_not_a_failed_batch(client: Client, duty_token: dict[str, str]) -> None:
    # JSON allows a lone surrogate escape, NaN, Infinity and 1e300; none may cost the batch
    body = ('{"source": "合作平台\\ud800", "items": [{"id": "s", "text": "孤立\\ud800字符"}, '
            '{"id": "n", "text": "正文一", "time": NaN}, {"id": "b", "text": "正文二", "time": 1e300}, '
            '{"id": "i", "text": "正文三", "time": Infinity}, {"id": "ok", "text": "正文四"}]}')
    reply = push(client, duty_token, body)
    assert reply.status_code == 200
    result = reply.json()
    assert (result["created"], result["errors"]) == (2, 3)
    assert all("时间超出范围" in r["error"] for r in result["results"][1:4])
    assert Document.objects.get(external_id="s").text == "孤立\ufffd字符"   # one for one: offsets hold
    assert RawInput.objects.filter(channel="api").count() == 3
    assert Source.objects.filter(name="合作平台\ufffd").exists()
    assert process_partition() == 2 and Document.objects.get(external_id="s").event_id is not None


def test_json_nested_too_deeply_is_refused_clearly_and_kept(client: Client, duty_token: dict[str, str]) -> None:
    reply = push(client, duty_token, "[" * 100_000)
    assert reply.status_code == 400 and "嵌套过深" in reply.json()["detail"]
    assert RawInput.objects.filter(channel="api", error__contains="嵌套过深").exists()


def test_numbers_past_any_limit_are_the_senders_error(client: Client, duty_token: dict[str, str]) -> None:
    body = ('{"source": "合作平台", "items": [{"id": "t", "text": "正文", "time": 1' + "0" * 400 + '}, '
            '{"id": "ok", "text": "正文二"}]}')
    result = push(client, duty_token, body).json()
    assert (result["created"], result["errors"]) == (1, 1) and "时间超出范围" in result["results"][0]["error"]
    huge = push(client, duty_token, '{"items": [{"text": "正文", "n": ' + "9" * 5000 + "}]}")
    assert huge.status_code == 400 and "数字位数过多" in huge.json()["detail"]
