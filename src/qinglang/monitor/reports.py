"""舆情日报 and 周报: built once into a JSON snapshot, then rendered as HTML, xlsx and PDF.

Every line of a report names the documents behind it (ids and links), so a reader can check
each statement against its sources.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from qinglang.audit.services import record
from qinglang.monitor.models import Alert, Document, Event, Mention, Report, ReportKind, WatchedEntity

TOP_EVENTS = 10
DOCS_PER_EVENT = 3


def period(kind: str, day: Any) -> tuple[datetime, datetime]:
    """The local-time day (or the Monday-to-Sunday week) that ends at the start of ``day``."""
    end = timezone.make_aware(datetime.combine(day, time.min))
    start = end - timedelta(days=7 if kind == ReportKind.WEEKLY else 1)
    return start, end


def _doc_ref(doc: Document) -> dict[str, Any]:
    return {"id": doc.pk, "title": doc.title or doc.text[:40], "url": doc.url, "source": doc.source.name,
            "time": timezone.localtime(doc.published_at).strftime("%Y-%m-%d %H:%M")}


def _top_events(start: datetime, end: datetime) -> list[dict[str, Any]]:
    active = Q(documents__published_at__gte=start, documents__published_at__lt=end)
    events = (
        Event.objects.annotate(in_period=Count("documents", filter=active))
        .filter(in_period__gt=0).order_by("-heat", "-in_period")[:TOP_EVENTS]
    )
    rows = []
    for event in events:
        docs = event.documents.filter(published_at__gte=start, published_at__lt=end).select_related("source")
        rows.append({
            "id": event.pk, "label": event.label, "size": event.size,
            "documents": event.in_period,  # type: ignore[attr-defined]
            "level": event.risk_level, "sentiment": round(event.sentiment, 2), "reasons": event.risk_reasons[:4],
            "categories": event.categories, "entities": event.entities, "sources": sorted(event.sources),
            "evidence": [_doc_ref(d) for d in docs.order_by("published_at")[:DOCS_PER_EVENT]],
        })
    return rows


def _watched(start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = []
    for entity in WatchedEntity.objects.filter(active=True):
        mentions = Mention.objects.filter(entity=entity, published_at__gte=start, published_at__lt=end)
        total = mentions.count()
        if not total:
            continue
        negative = mentions.filter(negative=True)
        sample = negative.select_related("document__source").order_by("sentiment")[:DOCS_PER_EVENT]
        rows.append({
            "id": entity.pk, "name": entity.name, "mentions": total, "negative": negative.count(),
            "evidence": [_doc_ref(m.document) for m in sample],
        })
    return sorted(rows, key=lambda r: (-r["negative"], -r["mentions"]))


def _volume(start: datetime, end: datetime) -> dict[str, list[Any]]:
    docs = Document.objects.filter(published_at__gte=start, published_at__lt=end)
    rows = docs.annotate(hour=TruncHour("published_at")).values("hour").annotate(n=Count("id")).order_by("hour")
    return {"labels": [timezone.localtime(r["hour"]).strftime("%m-%d %H时") for r in rows],
            "counts": [r["n"] for r in rows]}


def build(kind: str, start: datetime, end: datetime) -> dict[str, Any]:
    docs = Document.objects.filter(published_at__gte=start, published_at__lt=end)
    alerts = Alert.objects.filter(created__gte=start, created__lt=end)
    by_level = dict(alerts.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    return {
        "kind": kind,
        "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
        "totals": {"documents": docs.count(), "events": docs.values("event").distinct().count(),
                   "alerts": alerts.count(), "alerts_by_level": by_level},
        "events": _top_events(start, end),
        "watched": _watched(start, end),
        "volume": _volume(start, end),
    }


def generate(kind: str, start: datetime, end: datetime, *, user: Any = None) -> Report:
    report = Report.objects.create(kind=kind, period_start=start, period_end=end, data=build(kind, start, end),
                                   created_by=user if getattr(user, "is_authenticated", False) else None)
    record("monitor.report.generated", target=report, detail={"kind": kind, "start": report.data["start"]})
    return report


def generate_due(now: datetime | None = None) -> list[Report]:
    """After the configured hour: yesterday's daily report, and on Mondays last week's weekly."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.MONITOR_DAILY_REPORT_HOUR:
        return []
    made = []
    kinds = [ReportKind.DAILY] + ([ReportKind.WEEKLY] if local.weekday() == 0 else [])
    for kind in kinds:
        start, end = period(kind, local.date())
        if not Report.objects.filter(kind=kind, period_start=start, period_end=end).exists():
            made.append(generate(kind, start, end))
    return made


# -- exports ----------------------------------------------------------------------------------

LEVEL_ZH = {"blue": "蓝", "yellow": "黄", "orange": "橙", "red": "红"}
KIND_ZH = {ReportKind.DAILY: "舆情日报", ReportKind.WEEKLY: "舆情周报"}


def title_of(data: dict[str, Any]) -> str:
    return f"{KIND_ZH.get(data['kind'], '舆情报告')}（{data['start']} 至 {data['end']}）"


def _evidence_text(refs: list[dict[str, Any]]) -> str:
    return "；".join(f"[{r['id']}] {r['source']} {r['time']} {r['url'] or r['title']}" for r in refs)


def volume_series(data: dict[str, Any]) -> tuple[list[str], list[int]]:
    """The report's volume for a chart: per hour in a daily report, per day in a weekly one
    (168 hourly bars do not read on a page). Hours without documents are absent, as stored."""
    labels, counts = data["volume"]["labels"], data["volume"]["counts"]
    if data["kind"] != ReportKind.WEEKLY:
        return [label.split(" ", 1)[-1] for label in labels], list(counts)
    days: dict[str, int] = {}
    for label, count in zip(labels, counts, strict=True):
        day = label.split(" ", 1)[0]
        days[day] = days.get(day, 0) + count
    return list(days), list(days.values())


def _xlsx_charts(events: Any, volume: Any) -> None:
    """Native Excel charts over the sheets' own cells, so they follow any edit of the numbers."""
    from openpyxl.chart import BarChart, Reference  # type: ignore[import-untyped]

    if volume.max_row > 1:
        chart = BarChart()
        chart.title, chart.y_axis.title, chart.legend = "文档数量", "文档数", None
        chart.add_data(Reference(volume, min_col=2, min_row=1, max_row=volume.max_row), titles_from_data=True)
        chart.set_categories(Reference(volume, min_col=1, min_row=2, max_row=volume.max_row))
        chart.width, chart.height = 24, 9
        volume.add_chart(chart, "D2")
    if events.max_row > 2:
        chart = BarChart()
        chart.type, chart.title, chart.legend = "bar", "热点事件本期条数", None
        chart.add_data(Reference(events, min_col=2, min_row=2, max_row=events.max_row), titles_from_data=True)
        chart.set_categories(Reference(events, min_col=1, min_row=3, max_row=events.max_row))
        chart.x_axis.scaling.orientation = "maxMin"  # the hottest event on top, as in the table
        chart.width, chart.height = 20, 10
        events.add_chart(chart, "I2")


def to_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "热点事件"
    sheet.append([title_of(data)])
    sheet.append(["事件", "本期条数", "风险等级", "情感倾向", "危害类别", "关注对象", "来源文档"])
    for row in data["events"]:
        sheet.append([row["label"], row["documents"], LEVEL_ZH.get(row["level"], row["level"]), row["sentiment"],
                      "、".join(row["categories"]), "、".join(row["entities"]), _evidence_text(row["evidence"])])
    watched = book.create_sheet("重点企业")
    watched.append(["企业", "提及", "负面", "负面文档"])
    for row in data["watched"]:
        watched.append([row["name"], row["mentions"], row["negative"], _evidence_text(row["evidence"])])
    volume = book.create_sheet("声量")
    volume.append(["时段", "文档数"])
    for label, count in zip(data["volume"]["labels"], data["volume"]["counts"], strict=True):
        volume.append([label, count])
    _xlsx_charts(sheet, volume)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def volume_drawing(data: dict[str, Any], width: float = 450, height: float = 170) -> Any:
    """A reportlab bar chart of the period's volume, or None when there was no document."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart  # type: ignore[import-untyped]
    from reportlab.graphics.shapes import Drawing, String  # type: ignore[import-untyped]
    from reportlab.lib import colors  # type: ignore[import-untyped]

    labels, counts = volume_series(data)
    if not counts:
        return None
    from qinglang.core.pdf import FONT as font

    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 30, width - 46, height - 52
    chart.data = [counts]
    chart.bars[0].fillColor = colors.HexColor("#1f6feb")
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7 if len(labels) > 12 else 8
    chart.categoryAxis.labels.angle = 45 if len(labels) > 12 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 12 else "n"
    drawing.add(chart)
    unit = "每日" if data["kind"] == ReportKind.WEEKLY else "每小时"
    drawing.add(String(0, height - 12, f"文档数量（{unit}）", fontName=font, fontSize=10))
    return drawing


def to_pdf(data: dict[str, Any]) -> bytes:
    from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
    from reportlab.platypus import Spacer  # type: ignore[import-untyped]

    from qinglang.core.pdf import FONT, para, render

    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=22, spaceAfter=8)
    sub = ParagraphStyle("sub", parent=body, fontSize=12, leading=18, spaceBefore=8)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor="#555555")

    def statement(line: str, evidence: Any) -> list[Any]:
        """A line of the report and, under it, the documents it rests on."""
        return [para(line, body), para("来源：" + _evidence_text(evidence), small)]

    totals = data["totals"]
    story: list[Any] = [
        para(title_of(data), head),
        para(f"本期文档 {totals['documents']} 条，涉及事件 {totals['events']} 个，预警 {totals['alerts']} 条。", body),
    ]
    chart = volume_drawing(data)
    if chart is not None:
        story += [Spacer(1, 6), chart]
    story.append(para("一、热点事件", sub))
    for n, row in enumerate(data["events"], start=1):
        story += statement(f"{n}. {row['label']}（{row['documents']} 条，{LEVEL_ZH.get(row['level'], '')}色，"
                           f"情感 {row['sentiment']}）", row["evidence"])
    story.append(para("二、重点企业", sub))
    for row in data["watched"]:
        story += statement(f"{row['name']}：提及 {row['mentions']} 条，其中负面 {row['negative']} 条", row["evidence"])
    if not data["watched"]:
        story.append(para("本期无重点企业相关信息。", body))
    story.append(Spacer(1, 12))
    return render(story, title_of(data), margin_mm=25.4)  # reportlab's default inch margins, as before
