"""Cases over the API at /api/v1/cases/: scoped exactly like the pages (an invisible case is 404)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from qinglang.cases import services, stats
from qinglang.cases.models import Case, Report
from qinglang.cases.workflow import InvalidCaseTransition

router = Router(tags=["cases"])


class TransitionOut(Schema):
    from_status: str
    to_status: str
    actor: str | None
    at: datetime
    reason: str
    legal_basis: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor else None


class ActionOut(Schema):
    id: int
    kind: str
    principal: str
    principal_kind: str
    platform: str
    taken_on: date
    legal_basis: str
    filed_number: str
    response: str


class CaseOut(Schema):
    id: int
    number: str | None
    title: str
    status: str
    category: str | None
    department: str
    co_departments: list[str]
    due_at: datetime | None
    created: datetime

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category.code if obj.category else None

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return str(obj.department.code)

    @staticmethod
    def resolve_co_departments(obj: Any) -> list[str]:
        return [d.code for d in obj.co_departments.all()]


class CaseDetailOut(CaseOut):
    transitions: list[TransitionOut]
    actions: list[ActionOut]

    @staticmethod
    def resolve_transitions(obj: Any) -> Any:
        return obj.transitions.select_related("actor")

    @staticmethod
    def resolve_actions(obj: Any) -> Any:
        return obj.actions.all()


# Lengths as the columns hold them: past one, PostgreSQL refuses the row (SQLite would keep it),
# so the caller gets a 422 naming the field rather than a server error.
class TransitionIn(Schema):
    to_status: str = Field(max_length=20)
    reason: str
    legal_basis: str = Field("", max_length=300)


class ReportIn(Schema):
    """A lead from another system: a monitoring alert, an e-station request, staff entry."""

    source: str = Field(Report.Source.ALERT, max_length=10)
    source_ref: str = Field("", max_length=100)
    description: str
    category: str | None = Field(None, max_length=50)
    target_url: str = Field("", max_length=500)
    target_account: str = Field("", max_length=200)
    platform: str = Field("", max_length=100)


class ReportOut(Schema):
    id: int
    receipt_no: str
    source: str
    source_ref: str
    state: str
    target_url: str
    duplicate_of: int | None
    case: int | None
    created: datetime

    @staticmethod
    def resolve_duplicate_of(obj: Any) -> int | None:
        return obj.duplicate_of_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_case(obj: Any) -> int | None:
        return obj.case_id  # type: ignore[no-any-return]


class StatisticsOut(Schema):
    headline: dict[str, int]
    breakdowns: dict[str, list[tuple[str, int]]]


def _case(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(services.visible_cases(request.user), pk=case_id)


@router.get("/", response=list[CaseOut])
def list_cases(request: HttpRequest, status: str = "") -> Any:
    cases = services.visible_cases(request.user).select_related("department", "category")
    cases = cases.prefetch_related("co_departments")
    return cases.filter(status=status)[:500] if status else cases[:500]


@router.get("/reports", response=list[ReportOut])
def list_reports(request: HttpRequest) -> Any:
    return services.visible_reports(request.user)[:500]


@router.post("/reports", response={201: ReportOut})
def create_report(request: HttpRequest, payload: ReportIn) -> Any:
    if not services.can_act(request.user):
        raise HttpError(403, "您的角色不能登记线索。")
    if payload.source not in Report.Source.values or payload.source == Report.Source.PUBLIC:
        raise HttpError(400, "来源应为 alert、estation 或 staff。")
    try:
        category = services.category_by_code(payload.category) if payload.category else None
    except services.CaseRuleError as error:
        raise HttpError(400, str(error)) from error
    data = services.ReportInput(
        description=payload.description,
        category_id=category.pk if category else None,
        target_url=payload.target_url,
        target_account=payload.target_account,
        platform=payload.platform,
        source=payload.source,
        source_ref=payload.source_ref,
    )
    department = getattr(request.user, "department", None)
    report, _code = services.submit_report(data, raw={"api": payload.dict()}, department=department)
    return Status(201, report)


@router.get("/statistics", response=StatisticsOut)
def statistics(request: HttpRequest, start: date | None = None, end: date | None = None) -> Any:
    cases, actions, operations = stats.scoped(request.user, stats.Period(start, end))
    return {"headline": stats.headline(cases, actions, operations), "breakdowns": stats.breakdowns(cases, actions)}


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _case(request, case_id)


@router.post("/{case_id}/transition", response=CaseDetailOut)
def transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    case = _case(request, case_id)
    try:
        services.set_status(
            case, payload.to_status, request.user, reason=payload.reason, legal_basis=payload.legal_basis
        )
    except InvalidCaseTransition as error:
        raise HttpError(409, str(error)) from error
    except services.CaseRuleError as error:
        raise HttpError(403, str(error)) from error
    return case
