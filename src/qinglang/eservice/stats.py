"""Figures for the station dashboard: workload, overdue, satisfaction and recurring issues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from qinglang.eservice.models import OPEN_STATUSES, ServiceRequest, Status

TOPIC_MIN_SIZE = 2  # a topic is "recurring" from its second request on


def per_station(qs: QuerySet[ServiceRequest]) -> list[dict[str, Any]]:
    now = timezone.now()
    open_q = Q(status__in=OPEN_STATUSES)
    rows = (
        qs.values("station__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            satisfied=Count("pk", filter=Q(rating__gte=4)),
            avg_rating=Avg("rating"),
        )
        .order_by("station__name")
    )
    return [_station_row(dict(row)) for row in rows]


def _station_row(row: dict[str, Any]) -> dict[str, Any]:
    row["station"] = row.pop("station__name")
    row["satisfaction"] = round(100 * row["satisfied"] / row["rated"]) if row["rated"] else None
    return row


def daily_intake(qs: QuerySet[ServiceRequest], days: int = 14) -> dict[str, list[Any]]:
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = qs.filter(created__date__gte=start).annotate(day=TruncDate("created")).values("day").annotate(n=Count("pk"))
    counts = {row["day"]: row["n"] for row in rows}
    labels = [start + timedelta(days=i) for i in range(days)]
    return {"labels": [d.strftime("%m-%d") for d in labels], "counts": [counts.get(d, 0) for d in labels]}


def ratings(qs: QuerySet[ServiceRequest]) -> list[int]:
    counts = dict(qs.filter(rating__isnull=False).values_list("rating").annotate(n=Count("pk")))
    return [counts.get(score, 0) for score in range(1, 6)]


def topics(qs: QuerySet[ServiceRequest], limit: int = 10) -> list[dict[str, Any]]:
    """Recurring issues, with how many came in this week against the week before (the trend)."""
    week = timezone.now() - timedelta(days=7)
    fortnight = week - timedelta(days=7)
    rows = (
        qs.exclude(topic_key="")
        .values("topic_key", "topic_label")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            this_week=Count("pk", filter=Q(created__gte=week)),
            last_week=Count("pk", filter=Q(created__gte=fortnight, created__lt=week)),
        )
        .filter(n__gte=TOPIC_MIN_SIZE)
        .order_by("-n", "topic_key")[:limit]
    )
    return [dict(row) for row in rows]


def status_counts(qs: QuerySet[ServiceRequest]) -> list[dict[str, Any]]:
    counts = dict(qs.values_list("status").annotate(n=Count("pk")))
    return [{"status": s.value, "label": str(s.label), "n": counts.get(s.value, 0)} for s in Status]


def dashboard(qs: QuerySet[ServiceRequest]) -> dict[str, Any]:
    stations = per_station(qs)
    rated = sum(row["rated"] for row in stations)
    return {
        "stations": stations,
        "totals": {
            "open": sum(row["open"] for row in stations),
            "overdue": sum(row["overdue"] for row in stations),
            "satisfaction": round(100 * sum(row["satisfied"] for row in stations) / rated) if rated else None,
        },
        "topics": topics(qs),
        "chart": {
            "intake": daily_intake(qs),
            "ratings": ratings(qs),
            "stations": [row["station"] for row in stations],
            "open": [row["open"] for row in stations],
            "overdue": [row["overdue"] for row in stations],
        },
    }
