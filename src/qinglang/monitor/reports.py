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
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(data: dict[str, Any]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # type: ignore[import-untyped]

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=15, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=22, spaceAfter=8)
    sub = ParagraphStyle("sub", parent=body, fontSize=12, leading=18, spaceBefore=8)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor="#555555")
    totals = data["totals"]
    story: list[Any] = [
        Paragraph(escape(title_of(data)), head),
        Paragraph(f"本期文档 {totals['documents']} 条，涉及事件 {totals['events']} 个，"
                  f"预警 {totals['alerts']} 条。", body),
        Paragraph("一、热点事件", sub),
    ]
    for n, row in enumerate(data["events"], start=1):
        line = (f"{n}. {row['label']}（{row['documents']} 条，{LEVEL_ZH.get(row['level'], '')}色，"
                f"情感 {row['sentiment']}）")
        story += [Paragraph(escape(line), body), Paragraph(escape("来源：" + _evidence_text(row["evidence"])), small)]
    story.append(Paragraph("二、重点企业", sub))
    for row in data["watched"]:
        line = f"{row['name']}：提及 {row['mentions']} 条，其中负面 {row['negative']} 条"
        story += [Paragraph(escape(line), body), Paragraph(escape("来源：" + _evidence_text(row["evidence"])), small)]
    if not data["watched"]:
        story.append(Paragraph("本期无重点企业相关信息。", body))
    story.append(Spacer(1, 12))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title_of(data)).build(story)
    return out.getvalue()
