"""The pages: who may see them, what they show, and the actions on them."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinglang.monitor.ingest import source_named, store_batch
from qinglang.monitor.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Document,
    Event,
    ImportJob,
    Report,
    RuleKind,
    Source,
    WatchedAlias,
    WatchedEntity,
)
from qinglang.monitor.processing import process_partition
from qinglang.monitor.tasks import run_import
from tests.conftest import signed_in
from tests.monitor.corpus import stream


@pytest.fixture
def stocked(org: dict[str, Any], watched: Any) -> dict[str, Any]:
    watched("星河科技", "星河")
    AlertRule.objects.create(name="抹黑", kind=RuleKind.CATEGORY, category="SMEAR", level="yellow")
    source = source_named("清溪日报", department=org["office"])
    store_batch(source, stream(80), channel="test")
    process_partition("zh")
    return org


PAGES = ["monitor-events", "monitor-alerts", "monitor-watched", "monitor-search", "monitor-sources",
         "monitor-reports"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_the_duty_officer_and_not_for_station_staff(
    client: Client, stocked: dict[str, Any], name: str
) -> None:
    assert signed_in(client, stocked["duty"]).get(reverse(name)).status_code == 200
    client.logout()
    assert signed_in(client, stocked["town_staff"]).get(reverse(name)).status_code == 403


def test_events_are_listed_by_heat_and_filtered(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["duty"])
    page = client.get(reverse("monitor-events")).content.decode()
    hottest = Event.objects.order_by("-heat").first()
    assert hottest is not None and hottest.label in page
    filtered = client.get(reverse("monitor-events"), {"entity": "星河科技"})
    shown = {row["event"].pk for row in filtered.context["rows"]}
    assert shown == set(Event.objects.filter(tags__contains=" ent:星河科技 ").values_list("pk", flat=True))
    assert shown and len(shown) < Event.objects.count()
    smear = client.get(reverse("monitor-events"), {"category": "SMEAR", "level": "yellow"}).context["rows"]
    assert all(any(c.startswith("SMEAR") for c in r["event"].categories) for r in smear)


def test_event_page_shows_spread_chart_and_highlights(client: Client, stocked: dict[str, Any]) -> None:
    event = Event.objects.filter(tags__contains=" ent:星河科技 ").order_by("-size").first()
    assert event is not None
    response = signed_in(client, stocked["duty"]).get(reverse("monitor-event", args=[event.pk]))
    html = response.content.decode()
    assert "<mark>星河科技</mark>" in html
    assert 'id="event-chart-data"' in html
    assert response.context["spread"][0]["source__name"] == "清溪日报"


def test_an_outsider_gets_404_on_an_event(client: Client, stocked: dict[str, Any]) -> None:
    outsider = stocked["outsider"]
    outsider.role = "analyst"
    outsider.save()
    event = Event.objects.first()
    assert event is not None
    assert signed_in(client, outsider).get(reverse("monitor-event", args=[event.pk])).status_code == 404


def test_watched_enterprises_are_added_with_aliases_and_managed(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["duty"])
    response = client.post(reverse("monitor-watched"), {"name": "鹭屿新能源", "type": "enterprise",
                                                        "aliases": "鹭屿，鹭屿能源\nLUYU"})
    entity = WatchedEntity.objects.get(name="鹭屿新能源")
    assert response.status_code == 302
    assert sorted(entity.aliases.values_list("alias", flat=True)) == ["LUYU", "鹭屿", "鹭屿能源"]
    taken = client.post(reverse("monitor-watched-detail", args=[entity.pk]), {"alias": "星河"})
    assert "已在关注名单中" in taken.content.decode()
    alias = WatchedAlias.objects.get(alias="LUYU")
    client.post(reverse("monitor-watched-alias-remove", args=[entity.pk, alias.pk]))
    assert not WatchedAlias.objects.filter(alias="LUYU").exists()
    listing = client.get(reverse("monitor-watched")).content.decode()
    assert "星河科技" in listing and "鹭屿新能源" in listing


def test_a_one_character_or_overlong_alias_is_refused_with_a_reason(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["duty"])
    short = client.post(reverse("monitor-watched"), {"name": "鹭屿新能源", "type": "enterprise", "aliases": "鹭，鹭屿"})
    assert "太短，无法关注" in short.content.decode() and not WatchedEntity.objects.filter(name="鹭屿新能源").exists()
    long = client.post(reverse("monitor-watched"), {"name": "鹭屿新能源", "type": "enterprise", "aliases": "屿" * 101})
    assert "超过 100 个字" in long.content.decode() and not WatchedEntity.objects.filter(name="鹭屿新能源").exists()
    entity = WatchedEntity.objects.get(name="星河科技")
    single = client.post(reverse("monitor-watched-detail", args=[entity.pk]), {"alias": "星"})
    assert "太短，无法关注" in single.content.decode() and not WatchedAlias.objects.filter(alias="星").exists()


def test_watched_page_counts_mentions_and_negative_share(client: Client, stocked: dict[str, Any]) -> None:
    rows = signed_in(client, stocked["duty"]).get(reverse("monitor-watched")).context["rows"]
    row = next(r for r in rows if r["entity"].name == "星河科技")
    assert row["mentions"] > row["negative"] > 0
    assert any(c.startswith("SMEAR") for c in row["categories"])


def test_alert_inbox_actions(client: Client, stocked: dict[str, Any]) -> None:
    alert = Alert.objects.filter(status=AlertStatus.NEW).first()
    assert alert is not None
    signed_in(client, stocked["duty"])
    live = client.get(reverse("monitor-alerts-live")).content.decode()
    assert alert.title in live
    # Hand-off into the evidence and cases modules, with the fields they read filled in.
    assert "/evidence/new/?url=https%3A%2F%2Fnews.example.cn%2F" in live
    assert f"source=monitor.alert%3A{alert.pk}" in live and "/cases/reports/new/?source=alert" in live
    client.post(reverse("monitor-alert-action", args=[alert.pk, "acknowledge"]))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    response = client.post(reverse("monitor-alert-action", args=[alert.pk, "dismiss"]), {"reason": ""}, follow=True)
    assert "请说明理由" in response.content.decode()
    client.post(reverse("monitor-alert-action", args=[alert.pk, "dismiss"]), {"reason": "已核实为旧闻"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED
    assert alert.title not in client.get(reverse("monitor-alerts-live")).content.decode()


def test_search_finds_chinese_words_with_filters(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["duty"])
    found = client.get(reverse("monitor-search"), {"q": "删帖费 星河科技"}).context["page"]
    assert found.paginator.count > 0
    assert all("删帖费" in d.text and "星河科技" in d.text for d in found.object_list)
    none = client.get(reverse("monitor-search"), {"q": "删帖费 星河科技", "source": "别的源"}).context["page"]
    assert none.paginator.count == 0
    assert client.get(reverse("monitor-search"), {"q": '" OR *'}).status_code == 200  # FTS syntax is inert


def test_adding_a_feed_source(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["duty"])
    bad = client.post(reverse("monitor-sources"), {"source-name": "坏源", "source-kind": "rss",
                                                   "source-url": "ftp://x", "source-interval_minutes": 30})
    assert "http://" in bad.content.decode()
    fields = {"source-name": "清溪网", "source-kind": "rss", "source-interval_minutes": 30,
              "source-url": "https://news.example.cn/rss"}
    client.post(reverse("monitor-sources"), fields)
    assert Source.objects.get(name="清溪网").department == stocked["office"]


def test_file_upload_imports_with_progress(client: Client, stocked: dict[str, Any], queued: list[Any],
                                           django_capture_on_commit_callbacks: Any, settings: Any,
                                           tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    signed_in(client, stocked["duty"])
    content = "id,text,time\nc1,青禾食品新品发布会在清溪举行,2025-11-01T08:00:00+08:00\nc2,,\n".encode()
    upload = io.BytesIO(content)
    upload.name = "batch.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor-import-upload"), {"import-source": "上传", "import-file": upload})
    job = ImportJob.objects.get()
    assert response.url == reverse("monitor-import", args=[job.pk])
    assert ("qinglang.monitor.tasks.run_import", (job.pk,)) in queued
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.total, job.done, job.created_count, job.errors, job.finished) == (2, 2, 1, 1, True)
    progress = client.get(reverse("monitor-import", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<progress" in progress and "hx-get" not in progress


def test_reports_are_generated_and_exported(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["duty"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("monitor-reports"), {"kind": "weekly", "day": tomorrow.isoformat()})
    report = Report.objects.get()
    assert response.url == reverse("monitor-report", args=[report.pk])
    assert report.data["totals"]["documents"] == 80
    top = report.data["events"][0]
    assert top["evidence"] and all(ref["url"].startswith("https://news.example.cn/") for ref in top["evidence"])
    html = client.get(response.url).content.decode()
    assert "舆情周报" in html and top["label"] in html
    xlsx = client.get(reverse("monitor-report-export", args=[report.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["热点事件", "重点企业", "声量"]
    assert len(book["声量"]._charts) == 1 and len(book["热点事件"]._charts) == 1
    assert book["热点事件"]["A3"].value == top["label"]
    assert book["重点企业"]["A2"].value == "星河科技"
    assert "news.example.cn" in book["热点事件"]["G3"].value
    pdf = client.get(reverse("monitor-report-export", args=[report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content


def test_the_scheduler_makes_yesterdays_daily_and_on_mondays_the_weekly(stocked: dict[str, Any], settings: Any) -> None:
    from qinglang.monitor import reports

    settings.MONITOR_DAILY_REPORT_HOUR = 8
    monday_early = timezone.make_aware(timezone.datetime(2026, 11, 30, 7, 0))
    assert reports.generate_due(monday_early) == []
    monday = monday_early + timedelta(hours=2)
    made = reports.generate_due(monday)
    assert sorted(r.kind for r in made) == ["daily", "weekly"]
    assert reports.generate_due(monday + timedelta(hours=1)) == []  # once per period
    tuesday = monday + timedelta(days=1)
    assert [r.kind for r in reports.generate_due(tuesday)] == ["daily"]


def test_rejected_input_can_be_retried_once_fixed(client: Client, stocked: dict[str, Any]) -> None:
    from qinglang.monitor.models import Document, RawInput

    store_batch(source_named("合作平台"), [{"id": "r1", "text": "补发的正文", "time": "昨天"}], channel="api")
    raw = RawInput.objects.get(channel="api")
    signed_in(client, stocked["duty"])
    page = client.post(reverse("monitor-reject-retry", args=[raw.pk]), follow=True).content.decode()
    assert "时间格式无效" in page and not RawInput.objects.get(pk=raw.pk).resolved
    raw.payload = '{"id": "r1", "text": "补发的正文", "time": "2025-11-27T10:00:00+08:00"}'
    raw.save()
    client.post(reverse("monitor-reject-retry", args=[raw.pk]))
    assert RawInput.objects.get(pk=raw.pk).resolved
    assert Document.objects.get(external_id="r1").source.name == "合作平台"


def test_search_counts_at_most_the_cap(client: Client, stocked: dict[str, Any], monkeypatch: Any) -> None:
    from qinglang.monitor.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 5)
    response = signed_in(client, stocked["duty"]).get(reverse("monitor-search"), {"q": "清溪市"})
    assert response.context["page"].paginator.capped
    assert "找到超过 5 条文档" in response.content.decode()
    ids = [doc.pk for doc, _ in response.context["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) > 5


def test_admin_lists_the_monitor_models_and_alerts_are_read_only(client: Client, stocked: dict[str, Any]) -> None:
    signed_in(client, stocked["admin"])
    for model in ("source", "watchedentity", "alertrule", "alert"):
        assert client.get(f"/admin/monitor/{model}/").status_code == 200
    alert = Alert.objects.first()
    assert alert is not None
    client.post(f"/admin/monitor/alert/{alert.pk}/change/", {"status": "dismissed"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_push_endpoint_is_documented_with_its_body(client: Client, stocked: dict[str, Any]) -> None:
    schema = signed_in(client, stocked["duty"]).get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["items"]["items"]["required"] == ["text"]


def test_events_page_shows_this_week_unless_asked_for_any_time(client: Client, stocked: dict[str, Any]) -> None:
    old = Event.objects.order_by("pk").first()
    assert old is not None
    Event.objects.filter(pk=old.pk).update(last_seen=timezone.now() - timedelta(days=10), heat=1e6)
    signed_in(client, stocked["duty"])
    default = {r["event"].pk for r in client.get(reverse("monitor-events")).context["rows"]}
    any_time = client.get(reverse("monitor-events"), {"days": ""}).context["rows"]
    assert old.pk not in default
    assert any_time[0]["event"].pk == old.pk


def test_event_page_shows_each_documents_tone_about_each_watched_entity(
    client: Client, org: dict[str, Any], watched: Any
) -> None:
    watched("星澜电子"), watched("海澄物流")
    source = source_named("清溪日报", department=org["office"])
    store_batch(source, [{"id": "t1", "text": "星澜电子新品获得用户广泛好评，海澄物流却因拖欠运费被多家商户起诉。",
                          "time": 1_764_000_000}], channel="test")
    process_partition("zh")
    doc = Document.objects.get(external_id="t1")
    assert doc.entity_tones["星澜电子"] > 0 > doc.entity_tones["海澄物流"]
    page = signed_in(client, org["duty"]).get(reverse("monitor-event", args=[doc.event_id])).content.decode()
    assert f'pos" title="本文对该关注对象的倾向">星澜电子 {doc.entity_tones["星澜电子"]:.2f}' in page
    assert f'neg" title="本文对该关注对象的倾向">海澄物流 {doc.entity_tones["海澄物流"]:.2f}' in page
