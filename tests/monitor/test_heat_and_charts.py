"""The events list ranked by heat that fades, its volume sparklines, and the charts in exports."""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from datetime import datetime, time, timedelta
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinglang.core.models import ApiToken
from qinglang.monitor import reports
from qinglang.monitor.filters import HEAT_HALF_LIFE_HOURS, by_current_heat
from qinglang.monitor.ingest import source_named
from qinglang.monitor.models import Document, Event, ReportKind
from tests.conftest import signed_in


def make_event(org: dict[str, Any], label: str, heat: float, last_seen: datetime) -> Event:
    return Event.objects.create(engine_id=label, label=label, department=org["office"], first_seen=last_seen,
                                last_seen=last_seen, size=1, heat=heat)


def add_docs(event: Event, day: int, n: int) -> None:
    """``n`` documents of ``event`` at local noon ``day`` days ago."""
    at = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=day), time(12)))
    source = source_named("清溪论坛")
    start = Document.objects.count()
    Document.objects.bulk_create(
        Document(source=source, key=f"k{start + i}", text=f"{event.label}{i}", published_at=at, event=event)
        for i in range(n)
    )


@pytest.fixture
def cooling(org: dict[str, Any]) -> dict[str, Event]:
    """Stored heat says 大 > 中 > 小 > 未来; time since the last document says otherwise."""
    now = timezone.now()
    return {
        "大": make_event(org, "大而沉寂", 100.0, now - timedelta(hours=72)),  # 100 / 8 = 12.5
        "中": make_event(org, "中等昨天", 40.0, now - timedelta(hours=24)),  # 40 / 2 = 20
        "小": make_event(org, "小而新鲜", 30.0, now - timedelta(hours=1)),  # 30 × 0.5^(1/24) ≈ 29.1
        "未来": make_event(org, "时钟超前", 10.0, now + timedelta(hours=2)),  # future: not boosted
    }


def test_heat_halves_every_half_life_without_new_documents(cooling: dict[str, Event]) -> None:
    now = timezone.now()
    ranked = list(by_current_heat(Event.objects.all(), now))
    assert [e.label for e in ranked] == ["小而新鲜", "中等昨天", "大而沉寂", "时钟超前"]
    for event in ranked:
        hours = max(0.0, (now - event.last_seen).total_seconds() / 3600)
        expected = event.heat * 0.5 ** (hours / HEAT_HALF_LIFE_HOURS)
        assert event.current_heat == pytest.approx(expected, rel=1e-6)  # type: ignore[attr-defined]
    assert ranked[2].current_heat == pytest.approx(12.5, rel=1e-4)  # type: ignore[attr-defined]
    assert ranked[3].current_heat == pytest.approx(10.0)  # type: ignore[attr-defined]


def test_the_events_page_is_sorted_by_current_heat_and_shows_it(
    client: Client, org: dict[str, Any], cooling: dict[str, Event]
) -> None:
    page = signed_in(client, org["duty"]).get(reverse("monitor-events"))
    assert [row["event"].label for row in page.context["rows"]] == ["小而新鲜", "中等昨天", "大而沉寂", "时钟超前"]
    html = page.content.decode()
    # 40 a day ago shows as 20, the stored 40 in the tooltip.
    assert '最后一条文档时的热度为 40；此后每满一天无新文档，热度减半。">20</td>' in html


def test_sparklines_come_from_one_query_for_the_whole_page(
    client: Client, org: dict[str, Any], cooling: dict[str, Event]
) -> None:
    add_docs(cooling["小"], day=0, n=3)
    add_docs(cooling["小"], day=2, n=1)
    add_docs(cooling["中"], day=1, n=2)
    add_docs(cooling["大"], day=20, n=5)  # older than the 14 days drawn
    for i in range(40):  # more events than fit on one page
        make_event(org, f"其他{i}", 1.0, timezone.now() - timedelta(hours=i))
    signed_in(client, org["duty"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("monitor-events"))
    document_queries = [q["sql"] for q in queries.captured_queries if '"monitor_document"' in q["sql"]]
    assert len(document_queries) == 1, document_queries
    html = page.content.decode()
    data = json.loads(re.search(r'<script id="event-spark-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))  # type: ignore[union-attr]
    shown = [row["event"] for row in page.context["rows"]]
    assert len(shown) == 30 and set(data["events"]) == {str(e.pk) for e in shown}
    assert len(data["days"]) == 14 and data["days"][-1] == timezone.localdate().strftime("%m-%d")
    assert data["events"][str(cooling["小"].pk)] == [0] * 11 + [1, 0, 3]
    assert data["events"][str(cooling["中"].pk)] == [0] * 12 + [2, 0]
    assert data["events"][str(cooling["大"].pk)] == [0] * 14
    assert f'data-event="{cooling["小"].pk}"' in html
    assert "vendor/echarts.min.js" in html and "monitor/monitor.js" in html


# -- charts in the exported files -------------------------------------------------------------


@pytest.fixture
def week(org: dict[str, Any], cooling: dict[str, Event]) -> dict[str, Any]:
    """A weekly report over documents on three days (5, 2 and 4 documents)."""
    add_docs(cooling["小"], day=1, n=5)
    add_docs(cooling["中"], day=3, n=2)
    add_docs(cooling["大"], day=6, n=4)
    start, end = reports.period(ReportKind.WEEKLY, timezone.localdate())
    return reports.build(ReportKind.WEEKLY, start, end)


def test_weekly_volume_is_charted_per_day(week: dict[str, Any]) -> None:
    labels, counts = reports.volume_series(week)
    day = [(timezone.localdate() - timedelta(days=d)).strftime("%m-%d") for d in (6, 3, 1)]
    assert (labels, counts) == (day, [4, 2, 5])
    daily = {**week, "kind": ReportKind.DAILY}
    assert reports.volume_series(daily) == (["12时", "12时", "12时"], [4, 2, 5])


def category_ref(chart: Any) -> str:
    categories = chart.series[0].cat
    return str((categories.numRef or categories.strRef).f)


def test_xlsx_export_carries_native_charts_over_its_own_cells(week: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(week)))
    [volume_chart] = book["声量"]._charts
    assert volume_chart.tagname == "barChart"
    assert volume_chart.series[0].val.numRef.f == "'声量'!$B$2:$B$4"
    assert category_ref(volume_chart) == "'声量'!$A$2:$A$4"
    assert [book["声量"].cell(row=r, column=2).value for r in (2, 3, 4)] == [4, 2, 5]
    [events_chart] = book["热点事件"]._charts
    assert events_chart.series[0].val.numRef.f == "'热点事件'!$B$3:$B$5"
    assert category_ref(events_chart) == "'热点事件'!$A$3:$A$5"


def test_an_empty_period_exports_without_charts(org: dict[str, Any]) -> None:
    start, end = reports.period(ReportKind.DAILY, timezone.localdate())
    data = reports.build(ReportKind.DAILY, start, end)
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(data)))
    assert book["声量"]._charts == [] and book["热点事件"]._charts == []
    assert reports.volume_drawing(data) is None
    assert reports.to_pdf(data).startswith(b"%PDF")


BAR_FILL = b".121569 .435294 .921569 rg"  # the chart's #1f6feb


def page_content(pdf: bytes) -> bytes:
    """The PDF's content streams, undone from reportlab's ASCII85 and Flate encodings."""
    streams = re.findall(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", pdf, re.S)
    return b"".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)) for s in streams)


def bar_heights(content: bytes) -> list[float]:
    return [float(h) for h in re.findall(re.escape(BAR_FILL) + rb"\n.*?n [\d.]+ [\d.]+ [\d.]+ ([\d.]+) re B\*",
                                         content, re.S)]


def test_pdf_export_draws_the_volume_bar_chart(week: dict[str, Any]) -> None:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing

    drawing = reports.volume_drawing(week)
    assert isinstance(drawing, Drawing)
    [chart] = [c for c in drawing.contents if isinstance(c, VerticalBarChart)]
    assert chart.data == [[4, 2, 5]] and len(chart.categoryAxis.categoryNames) == 3

    with_chart = reports.to_pdf(week)
    without = reports.to_pdf({**week, "volume": {"labels": [], "counts": []}})
    assert len(with_chart) > len(without)
    heights = bar_heights(page_content(with_chart))
    assert len(heights) == 3 and bar_heights(page_content(without)) == []
    assert [h / heights[2] for h in heights] == pytest.approx([4 / 5, 2 / 5, 1.0])


def test_the_events_api_ranks_by_current_heat_like_the_page(
    client: Client, org: dict[str, Any], cooling: dict[str, Event]
) -> None:
    _, raw = ApiToken.issue(org["duty"], "test")
    body = client.get("/api/v1/events", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [e["label"] for e in body["items"]] == ["小而新鲜", "中等昨天", "大而沉寂", "时钟超前"]
    yesterday = body["items"][1]
    assert yesterday["heat"] == 40.0 and yesterday["current_heat"] == pytest.approx(20.0, rel=1e-3)
