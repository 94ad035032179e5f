"""Signed-in pages: reports, cases and their actions, statistics. Every query goes through the
scoping helpers; a case or report the user's department may not see is a 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from qinglang.audit.services import record
from qinglang.cases import export, forms, letters, services, stats
from qinglang.cases.joint_views import operations_for
from qinglang.cases.models import ActionKind, Case, CaseAction, Report, ReportAttachment
from qinglang.cases.workflow import CaseStatus, InvalidCaseTransition
from qinglang.core.net import client_ip
from qinglang.core.workdays import working_days_left
from qinglang.evidence.models import Capture
from qinglang.evidence.services import visible as visible_captures
from qinglang.org.scoping import visible_to

View = Callable[..., HttpResponse]


def case_for(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(services.visible_cases(request.user).select_related("department", "category"), pk=pk)


def report_for(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(services.visible_reports(request.user), pk=pk)


def case_post(view: Callable[[HttpRequest, Case], None]) -> View:
    """A POST on one case: find it (404 if not visible), run the rule, show the rule's error."""

    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        case = case_for(request, pk)
        try:
            view(request, case)
        except (InvalidCaseTransition, services.CaseRuleError) as error:
            messages.error(request, str(error))
        return redirect("cases-detail", pk=case.pk)

    return wrapper


def _form_error(request: HttpRequest, form: Any) -> None:
    text = "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k != '__all__' else ''}{' '.join(v)}"
        for k, v in form.errors.items()
    )
    raise services.CaseRuleError(text or "输入有误。")


# --- cases ---------------------------------------------------------------------------------------


def case_list(request: HttpRequest) -> HttpResponse:
    cases = services.visible_cases(request.user).select_related("department", "category")
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases[:200],
            "statuses": CaseStatus.choices,
            "status": status,
        },
    )


def _clock(case: Case) -> dict[str, Any]:
    if case.due_at is None or not case.is_open:
        return {}
    if case.paused_at is not None:
        return {"paused": True, "days_left": case.days_left_at_pause}
    return {"days_left": working_days_left(timezone.now(), case.due_at)}


def _url_or_none(name: str, *args: Any) -> str | None:
    """A URL of another module, or None while that module (or that page) is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _captures(user: Any, case: Case) -> list[Any]:
    """Evidence captures made for this case (the evidence module files them by case number)."""
    try:
        capture = apps.get_model("evidence", "Capture")
    except LookupError:
        return []
    found = capture.objects.filter(case_reference=case.number).order_by("-pk")
    return list(visible_to(user, found, field="department", shared_field="shared_with")[:50])


def _evidence_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    new_url = _url_or_none("evidence-new")
    target = next((r.target_url for r in case.reports.all() if r.target_url), "")
    query = urlencode({"url": target, "case": case.number or "", "source": f"cases.case:{case.pk}"})
    return {"captures": _captures(request.user, case), "capture_url": f"{new_url}?{query}" if new_url else None}


def _visible_capture_ids(user: Any, case: Case) -> set[int]:
    """Linked evidence items the user may open; the others are named but not linked (a
    co-handling department sees the case, not necessarily every item it rests on)."""
    linked = Capture.objects.filter(case_actions__case=case).values("pk")
    return set(visible_captures(user).filter(pk__in=linked).values_list("pk", flat=True))


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    context = {
        "case": case,
        "clock": _clock(case),
        "can_act": services.can_act(request.user),
        "transitions": case.transitions.select_related("actor"),
        "actions": case.actions.select_related("department").prefetch_related("evidence", "captures"),
        "visible_capture_ids": _visible_capture_ids(request.user, case),
        "reminders": case.reminders.select_related("to_user", "sent_by")[:20],
        "reports": case.reports.all(),
        # Several forms share field names on this page; distinct id prefixes keep the ids unique.
        "transition_form": forms.TransitionForm(status=case.status, auto_id="tr_%s"),
        "assign_form": forms.AssignForm(auto_id="as_%s") if case.status == CaseStatus.TRIAGED else None,
        "action_form": forms.ActionForm(initial={"taken_on": timezone.localdate()}, auto_id="ac_%s", user=request.user)
        if case.status in services.ACTION_STATUSES
        else None,
        "share_form": forms.ShareForm(auto_id="sh_%s"),
        "operation_form": forms.OperationLinkForm(operations=operations_for(request.user), auto_id="op_%s"),
    }
    context.update(_evidence_context(request, case))
    return render(request, "cases/case_detail.html", context)


@case_post
def case_transition(request: HttpRequest, case: Case) -> None:
    form = forms.TransitionForm(request.POST, status=case.status)
    if not form.is_valid():
        _form_error(request, form)
    data = form.cleaned_data
    services.set_status(case, data["to_status"], request.user, reason=data["reason"], legal_basis=data["legal_basis"])
    messages.success(request, f"案件已转为“{case.get_status_display()}”。")


@case_post
def case_assign(request: HttpRequest, case: Case) -> None:
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    data = form.cleaned_data
    services.assign(
        case,
        request.user,
        lead=data["lead"],
        co_departments=data["co_departments"],
        reason=data["reason"],
        legal_basis=data["legal_basis"],
    )
    messages.success(request, f"案件已交由{data['lead']}牵头办理。")


@case_post
def case_action(request: HttpRequest, case: Case) -> None:
    form = forms.ActionForm(request.POST, user=request.user)
    if not form.is_valid():
        _form_error(request, form)
    action: CaseAction = form.save(commit=False)
    if action.kind == ActionKind.TAKEDOWN:
        action.target_urls = "\n".join(form.url_list())
        action.letter = services.takedown_letter(case, action.principal, action.platform, form.url_list())
    services.record_action(case, request.user, action, form.evidence_items(), form.cleaned_data["captures"])
    messages.success(request, f"已登记{action.get_kind_display()}：{action.principal}。")


@require_POST
def action_response(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    case = case_for(request, pk)
    action = get_object_or_404(case.actions, pk=action_pk)
    form = forms.ResponseForm(request.POST)
    try:
        if not form.is_valid():
            _form_error(request, form)
        services.record_response(action, request.user, form.cleaned_data["response"])
    except services.CaseRuleError as error:
        messages.error(request, str(error))
    return redirect("cases-detail", pk=case.pk)


def action_letter(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """The takedown notice as a PDF, ready to send to the platform; each download is audited."""
    case = case_for(request, pk)
    action = get_object_or_404(case.actions, pk=action_pk, kind=ActionKind.TAKEDOWN)
    content = letters.letter_pdf(case, action)
    record(
        "cases.letter_downloaded",
        target=case,
        detail={"action_id": action.pk, "platform": action.platform, "bytes": len(content)},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="takedown-{case.number}-{action.pk}.pdf"'
    return response


@case_post
def case_pause(request: HttpRequest, case: Case) -> None:
    form = forms.PauseForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    services.pause(case, request.user, form.cleaned_data["reason"])


@case_post
def case_resume(request: HttpRequest, case: Case) -> None:
    services.resume(case, request.user)


@case_post
def case_remind(request: HttpRequest, case: Case) -> None:
    form = forms.RemindForm(request.POST)
    form.is_valid()
    services.remind(case, request.user, form.cleaned_data.get("message", ""))
    messages.success(request, "已催办。")


@case_post
def case_operation(request: HttpRequest, case: Case) -> None:
    form = forms.OperationLinkForm(request.POST, operations=operations_for(request.user))
    if not form.is_valid():
        _form_error(request, form)
    services.join_operation(case, request.user, form.cleaned_data["operation"])


@case_post
def case_share(request: HttpRequest, case: Case) -> None:
    form = forms.ShareForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    services.share(case, request.user, form.cleaned_data["department"])


# --- reports -------------------------------------------------------------------------------------


def report_list(request: HttpRequest) -> HttpResponse:
    reports = services.visible_reports(request.user).select_related("category", "case", "duplicate_of")
    state = request.GET.get("state", "")
    if state in Report.State.values:
        reports = reports.filter(state=state)
    return render(
        request,
        "cases/report_list.html",
        {
            "reports": reports[:200],
            "states": Report.State.choices,
            "state": state,
        },
    )


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk)
    # Contact details are personal information: every reading is on the record.
    record("cases.report_viewed", target=report)
    return render(
        request,
        "cases/report_detail.html",
        {
            "report": report,
            "can_act": services.can_act(request.user),
            "open_form": forms.OpenCaseForm(initial={"title": _default_title(report)}),
            "duplicates": report.duplicates.all(),
        },
    )


def _default_title(report: Report) -> str:
    who = report.enterprise_name or report.target_account or report.platform or report.target_url
    category = report.category.name_zh if report.category else "网络乱象"
    return f"{who}：{category}"[:200]


@require_POST
def report_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk)
    form = forms.OpenCaseForm(request.POST)
    try:
        if not form.is_valid():
            _form_error(request, form)
        case = services.open_case(report, request.user, title=form.cleaned_data["title"])
    except services.CaseRuleError as error:
        messages.error(request, str(error))
        return redirect("cases-report-detail", pk=report.pk)
    return redirect("cases-detail", pk=case.pk)


@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for(request, pk)
    try:
        services.dismiss_report(report, request.user, request.POST.get("reason", "")[:300])
    except services.CaseRuleError as error:
        messages.error(request, str(error))
    return redirect("cases-report-detail", pk=report.pk)


def report_new(request: HttpRequest) -> HttpResponse:
    """Staff enter a lead received by phone, letter, an e-station or a monitoring alert."""
    # Other modules link here with the lead filled in (?source=alert&source_ref=…&description=…).
    form = forms.StaffReportForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report, _code = services.submit_report(
            services.ReportInput(
                description=data["description"],
                category_id=data["category"].pk if data["category"] else None,
                target_url=data["target_url"],
                target_account=data["target_account"],
                platform=data["platform"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                source=data["source"],
                source_ref=data["source_ref"],
            ),
            ip=client_ip(request),
            raw={"fields": {k: str(v) for k, v in data.items()}, "entered_by": request.user.pk},
            department=getattr(request.user, "department", None),
        )
        return redirect("cases-report-detail", pk=report.pk)
    return render(request, "cases/report_new.html", {"form": form})


def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    report = report_for(request, pk)
    item = get_object_or_404(ReportAttachment, pk=attachment_pk, report=report)
    record("cases.attachment_read", target=report, detail={"attachment": item.pk, "sha256": item.sha256})
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


# --- statistics ----------------------------------------------------------------------------------


def _period(request: HttpRequest) -> stats.Period:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return stats.Period(day("start"), day("end"))


STAT_SECTIONS = (
    ("by_month", pgettext_lazy("cases", "Cases by month"), "bar"),
    ("by_action", pgettext_lazy("cases", "Actions by type"), "bar"),
    ("by_category", pgettext_lazy("cases", "Cases by harm category"), "bar"),
    ("by_department", pgettext_lazy("cases", "Cases by lead department"), "bar"),
    ("by_status", pgettext_lazy("cases", "Cases by outcome"), "pie"),
)


def statistics(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    cases, actions, operations = stats.scoped(request.user, period)
    figures = stats.headline(cases, actions, operations)
    parts = stats.breakdowns(cases, actions)
    chart = {key: {"labels": [r[0] for r in rows], "counts": [r[1] for r in rows]} for key, rows in parts.items()}
    sections = [(key, title, kind, parts[key]) for key, title, kind in STAT_SECTIONS]
    return render(
        request,
        "cases/statistics.html",
        {
            "figures": figures,
            "sections": sections,
            "chart": chart,
            "period": period,
            "query": request.GET.urlencode(),
        },
    )


def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    cases, actions, operations = stats.scoped(request.user, period)
    content = export.workbook(
        period.label(), stats.headline(cases, actions, operations), stats.breakdowns(cases, actions)
    )
    record("cases.statistics_exported", detail={"start": str(period.start), "end": str(period.end)})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="cases-statistics-{timezone.localdate()}.xlsx"'
    return response
