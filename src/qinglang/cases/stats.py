"""The office's statistics, computed from cases and typed actions (never typed in by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower, Trim, TruncMonth
from django.utils import timezone

from qinglang.cases.models import ActionKind, Case, CaseAction, JointOperation
from qinglang.cases.services import visible_cases
from qinglang.cases.workflow import CaseStatus
from qinglang.org.scoping import visible_to

# "Principals interviewed, warned or filed" in the office's own words.
SANCTION_KINDS = (ActionKind.INTERVIEW, ActionKind.WARNING, ActionKind.FILED)


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None

    def label(self) -> str:
        return f"{self.start or '…'} — {self.end or '…'}"


def scoped(user: Any, period: Period) -> tuple[QuerySet[Case], QuerySet[CaseAction], QuerySet[JointOperation]]:
    cases = visible_cases(user)
    actions = CaseAction.objects.filter(case__in=cases.values("pk"))
    operations = visible_to(user, JointOperation.objects.all(), field="department", shared_field="departments")
    if period.start:
        cases = cases.filter(created__date__gte=period.start)
        actions = actions.filter(taken_on__gte=period.start)
        operations = operations.filter(starts_on__gte=period.start)
    if period.end:
        cases = cases.filter(created__date__lte=period.end)
        actions = actions.filter(taken_on__lte=period.end)
        operations = operations.filter(starts_on__lte=period.end)
    return cases, actions, operations


def _distinct_principals(actions: QuerySet[CaseAction]) -> int:
    # The same account interviewed twice is one principal; spelling case and spaces do not count.
    return actions.annotate(key=Lower(Trim("principal"))).values("key").distinct().count()


def headline(
    cases: QuerySet[Case], actions: QuerySet[CaseAction], operations: QuerySet[JointOperation]
) -> dict[str, int]:
    sanctions = actions.filter(kind__in=SANCTION_KINDS)
    return {
        "joint_operations": operations.count(),
        "enforcement_actions": actions.count(),
        "principals_sanctioned": _distinct_principals(sanctions),
        "principals_interviewed": _distinct_principals(actions.filter(kind=ActionKind.INTERVIEW)),
        "principals_warned": _distinct_principals(actions.filter(kind=ActionKind.WARNING)),
        "principals_filed": _distinct_principals(actions.filter(kind=ActionKind.FILED)),
        "cases": cases.count(),
        "cases_open": cases.exclude(status__in=CaseStatus.terminal()).count(),
    }


def _rows(qs: QuerySet[Any], key: str, labels: dict[Any, str] | None = None) -> list[tuple[str, int]]:
    counted = qs.order_by().values(key).annotate(n=Count("pk", distinct=True)).order_by("-n", key)
    return [(str((labels or {}).get(row[key], row[key] if row[key] is not None else "—")), row["n"]) for row in counted]


def breakdowns(cases: QuerySet[Case], actions: QuerySet[CaseAction]) -> dict[str, list[tuple[str, int]]]:
    months = (
        cases.order_by()
        .annotate(month=TruncMonth("created", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk", distinct=True))
        .order_by("month")
    )
    return {
        "by_month": [(row["month"].strftime("%Y-%m"), row["n"]) for row in months],
        "by_department": _rows(cases, "department__name"),
        "by_category": _rows(cases, "category__name_zh"),
        "by_status": _rows(cases, "status", {k: str(v) for k, v in CaseStatus.choices}),
        "by_action": _rows(actions, "kind", {k: str(v) for k, v in ActionKind.choices}),
    }
