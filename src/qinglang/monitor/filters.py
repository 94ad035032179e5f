"""The filters shared by the events page, the search page and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Schema

from qinglang.monitor.models import Document, Event, level_rank

LEVELS = ("blue", "yellow", "orange", "red")


class EventFilter(Schema):
    days: int | None = None  # active in the last N days
    source: str | None = None
    entity: str | None = None
    category: str | None = None  # a code (SMEAR.ASTROTURF) or a class (SMEAR)
    level: str | None = None  # this level or higher


def _tag(kind: str, value: str) -> str:
    return f" {kind}:{value.strip().replace(' ', '_')}"


def filter_events(events: QuerySet[Event], f: EventFilter) -> QuerySet[Event]:
    if f.days:
        events = events.filter(last_seen__gte=timezone.now() - timedelta(days=f.days))
    if f.source:
        events = events.filter(tags__contains=_tag("src", f.source) + " ")
    if f.entity:
        events = events.filter(tags__contains=_tag("ent", f.entity) + " ")
    if f.category:
        events = events.filter(tags__contains=_tag("cat", f.category))
    if f.level in LEVELS:
        events = events.filter(risk_level__in=[lv for lv in LEVELS if level_rank(lv) >= level_rank(f.level)])
    return events.order_by("-heat", "-last_seen")


def filter_documents(docs: QuerySet[Document], f: EventFilter) -> QuerySet[Document]:
    """The same filters for documents (search results): by the document's own fields."""
    if f.days:
        docs = docs.filter(published_at__gte=timezone.now() - timedelta(days=f.days))
    if f.source:
        docs = docs.filter(source__name=f.source)
    if f.entity:
        docs = docs.filter(mentions__entity__name=f.entity)
    if f.category:
        docs = docs.filter(event__tags__contains=_tag("cat", f.category))
    if f.level in LEVELS:
        docs = docs.filter(risk_level__in=[lv for lv in LEVELS if level_rank(lv) >= level_rank(f.level)])
    return docs


def from_params(params: Any) -> EventFilter:
    """Read filters from a query dict, ignoring values that do not parse."""
    days = params.get("days", "")
    return EventFilter(
        days=int(days) if str(days).isdigit() else None,
        source=params.get("source") or None, entity=params.get("entity") or None,
        category=params.get("category") or None, level=params.get("level") or None,
    )
