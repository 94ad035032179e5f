"""The filters shared by the events page, the search page and the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, FloatField, Func, QuerySet, Value
from django.db.models.functions import Greatest, Power
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
    kind: str | None = None  # kind of news (engine/data/event_kinds.json), e.g. DISCLOSURE


def _tag(kind: str, value: str) -> str:
    return f" {kind}:{value.strip().replace(' ', '_')}"


def filter_events(events: QuerySet[Event], f: EventFilter) -> QuerySet[Event]:
    if f.days:
        events = events.filter(last_seen__gte=_since(f.days))
    if f.source:
        events = events.filter(tags__contains=_tag("src", f.source) + " ")
    if f.entity:
        events = events.filter(tags__contains=_tag("ent", f.entity) + " ")
    if f.category:
        events = events.filter(tags__contains=_tag("cat", f.category))
    if f.kind:
        events = events.filter(tags__contains=_tag("kind", f.kind) + " ")
    if f.level in LEVELS:
        events = events.filter(risk_level__in=[lv for lv in LEVELS if level_rank(lv) >= level_rank(f.level)])
    return events.order_by("-heat", "-last_seen")


def filter_documents(docs: QuerySet[Document], f: EventFilter) -> QuerySet[Document]:
    """The same filters for documents (search results): by the document's own fields."""
    if f.days:
        docs = docs.filter(published_at__gte=_since(f.days))
    if f.source:
        docs = docs.filter(source__name=f.source)
    if f.entity:
        docs = docs.filter(mentions__entity__name=f.entity)
    if f.category:
        docs = docs.filter(event__tags__contains=_tag("cat", f.category))
    if f.kind:
        docs = docs.filter(event__tags__contains=_tag("kind", f.kind) + " ")
    if f.level in LEVELS:
        docs = docs.filter(risk_level__in=[lv for lv in LEVELS if level_rank(lv) >= level_rank(f.level)])
    return docs


MAX_DAYS = 36_500  # "the last N days" past a century is everything; beyond year 1 it cannot be computed


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=max(0, min(days, MAX_DAYS)))


def from_params(params: Any) -> EventFilter:
    """Read filters from a query dict, ignoring values that do not parse."""
    days = params.get("days", "")
    return EventFilter(
        days=int(days) if str(days).isdigit() else None,
        source=params.get("source") or None, entity=params.get("entity") or None,
        category=params.get("category") or None, level=params.get("level") or None,
        kind=params.get("kind") or None,
    )


# Current heat = stored heat × 0.5 ** (hours since the event's last document / HALF_LIFE).
# The stored heat (size × (1 + 2 × risk score), see processing.EventBook.add) only grows; halving
# it every HALF_LIFE hours of silence lets a story that is still being posted about outrank a
# bigger one that went quiet: a day-old event needs twice the heat of a fresh one to rank level.
# A last document dated in the future (clock skew at a source) counts as just now.
HEAT_HALF_LIFE_HOURS = 24.0


class HoursSince(Func):
    """Hours from a datetime column to ``now`` as a float, on SQLite and PostgreSQL."""

    output_field = FloatField()

    def __init__(self, field: str, now: datetime) -> None:
        super().__init__(F(field), Value(now))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores UTC text there; julianday() reads it and counts in days.
        template = "((julianday(%(expressions)s) - julianday(%(column)s)) * 24.0)"
        column, column_params = compiler.compile(self.source_expressions[0])
        now, now_params = compiler.compile(self.source_expressions[1])
        return template % {"expressions": now, "column": column}, [*now_params, *column_params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        column, column_params = compiler.compile(self.source_expressions[0])
        now, now_params = compiler.compile(self.source_expressions[1])
        return f"(EXTRACT(EPOCH FROM ({now} - {column})) / 3600.0)", [*now_params, *column_params]


def current_heat(now: datetime | None = None) -> Any:
    """The decayed heat as a query expression (see the formula above)."""
    hours = Greatest(HoursSince("last_seen", now or timezone.now()), Value(0.0))
    return F("heat") * Power(Value(0.5), hours / Value(HEAT_HALF_LIFE_HOURS))


def by_current_heat(events: QuerySet[Event], now: datetime | None = None) -> QuerySet[Event]:
    return events.annotate(current_heat=current_heat(now)).order_by("-current_heat", "-last_seen", "-pk")
