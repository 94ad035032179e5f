"""Small helpers that shape stored data for pages: highlights, sparklines, chart series."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from qinglang.monitor.models import Document

_QUOTED = re.compile(r"[“\"]([^”\"]{2,30})[”\"]")


def engine_text(doc: Document) -> str:
    """The text exactly as the engine read it (entity offsets refer to this)."""
    if doc.title and doc.title not in doc.text:
        return f"{doc.title} {doc.text}"
    return doc.text


def _phrases(reasons: Iterable[str]) -> list[str]:
    return sorted({m.group(1) for reason in reasons for m in _QUOTED.finditer(reason)}, key=len, reverse=True)


SHOWN_CHARS = 3000


def highlight(doc: Document, extra: Iterable[str] = ()) -> list[tuple[str, bool]]:
    """Segments of the document's text, marked where an entity or a matched phrase is (long
    texts are cut: the page shows the start, the original link has the rest)."""
    full = engine_text(doc)
    text = full[:SHOWN_CHARS]
    marked = [False] * len(text)
    for entity in doc.entities:
        start, end = int(entity.get("start", 0)), int(entity.get("end", 0))
        for i in range(max(0, start), min(len(text), end)):
            marked[i] = True
    for phrase in [*_phrases(doc.risk_reasons), *[w for w in extra if len(w) > 1]]:
        for match in re.finditer(re.escape(phrase), text):
            for i in range(match.start(), match.end()):
                marked[i] = True
    segments: list[tuple[str, bool]] = []
    for char, flag in zip(text, marked, strict=True):
        if segments and segments[-1][1] == flag:
            segments[-1] = (segments[-1][0] + char, flag)
        else:
            segments.append((char, flag))
    if len(full) > SHOWN_CHARS:
        segments.append(("…", False))
    return segments


def sparkline_points(counts: list[int], width: int = 100, height: int = 24) -> str:
    """SVG polyline points for a tiny volume chart (drawn server-side: no script per row)."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(1, len(counts) - 1)
    return " ".join(f"{i * step:.1f},{height - (c / top) * (height - 2) - 1:.1f}" for i, c in enumerate(counts))


def _span(days: int) -> list[date]:
    start = timezone.localdate() - timedelta(days=days - 1)
    return [start + timedelta(days=i) for i in range(days)]


def day_labels(days: int = 14) -> list[str]:
    return [d.strftime("%m-%d") for d in _span(days)]


def daily_counts(event_ids: list[int], days: int = 14) -> dict[int, list[int]]:
    """Documents per local day over the last ``days`` days for each event, in one query."""
    span = _span(days)
    start = span[0]
    rows = (
        Document.objects.filter(event_id__in=event_ids, published_at__date__gte=start)
        .annotate(day=TruncDate("published_at")).values("event_id", "day").annotate(n=Count("id"))
    )
    table: dict[int, dict[date, int]] = defaultdict(dict)
    for row in rows:
        table[row["event_id"]][row["day"]] = row["n"]
    return {pk: [table[pk].get(d, 0) for d in span] for pk in event_ids}


def timeline(docs: Any) -> dict[str, list[Any]]:
    """Documents and mean sentiment per hour, for the event page's ECharts."""
    rows = (
        docs.annotate(hour=TruncHour("published_at")).values("hour")
        .annotate(n=Count("id"), tone=Avg("sentiment")).order_by("hour")
    )
    return {
        "labels": [timezone.localtime(r["hour"]).strftime("%m-%d %H:00") for r in rows],
        "counts": [r["n"] for r in rows],
        "sentiment": [round(r["tone"] or 0.0, 3) for r in rows],
    }
