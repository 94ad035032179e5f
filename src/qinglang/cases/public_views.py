"""The public report form, its receipt and the status look-up: no login, rate-limited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from qinglang.audit.services import record
from qinglang.cases.forms import LookupForm, ReportForm
from qinglang.cases.models import Report
from qinglang.cases.services import ReportInput, lookup_report, public_status, submit_report
from qinglang.core.net import client_ip
from qinglang.core.throttle import audited_too_often

_RECEIPT_SESSION_KEY = "cases_receipt"


def _hour_ago() -> Any:
    return timezone.now() - timedelta(hours=1)


def _reports_blocked(ip: str | None) -> bool:
    if not ip:
        return False
    return Report.objects.filter(ip=ip, source=Report.Source.PUBLIC, created__gte=_hour_ago()).count() >= (
        settings.CASES_REPORT_RATE_LIMIT
    )


def _lookups_blocked(ip: str | None) -> bool:
    # Wrong look-ups are in the audit log already; counting there works across processes.
    return bool(ip) and audited_too_often(
        "cases.lookup_failed", limit=settings.CASES_LOOKUP_RATE_LIMIT, window_seconds=3600, ip=ip
    )


def _raw_submission(request: HttpRequest) -> dict[str, Any]:
    """The submission as typed, kept with the report (files by name and size only)."""
    fields = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "website")}
    files = [{"name": f.name, "size": f.size} for f in request.FILES.getlist("attachments")]
    return {"fields": fields, "files": files, "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


def _report_input(data: dict[str, Any]) -> ReportInput:
    return ReportInput(
        description=data["description"],
        category_id=data["category"].pk,
        target_url=data.get("target_url", ""),
        target_account=data.get("target_account", ""),
        platform=data.get("platform", ""),
        reporter_kind=data["reporter_kind"],
        enterprise_name=data.get("enterprise_name", ""),
        credit_code=data.get("credit_code", ""),
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        contact_email=data.get("contact_email", ""),
        honeypot_filled=bool(data.get("website")),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    if request.method != "POST":
        return render(request, "cases/public/report_form.html", {"form": ReportForm()})
    form = ReportForm(request.POST, request.FILES)
    if _reports_blocked(ip):
        # The form comes back filled in, so nothing typed is lost; the refusal is audited.
        record("cases.report_throttled", detail={"ip": ip})
        return render(request, "cases/public/report_form.html", {"form": form, "throttled": True}, status=429)
    if not form.is_valid():
        return render(request, "cases/public/report_form.html", {"form": form}, status=400)
    data = _report_input(form.cleaned_data)
    attachments = form.cleaned_data["attachments"]
    report, code = submit_report(data, ip=ip, raw=_raw_submission(request), attachments=attachments)
    request.session[_RECEIPT_SESSION_KEY] = {"receipt_no": report.receipt_no, "code": code}
    return redirect("cases-public-receipt")


@login_not_required
def receipt(request: HttpRequest) -> HttpResponse:
    """Shows the receipt number and verification code once, right after submitting."""
    shown = request.session.pop(_RECEIPT_SESSION_KEY, None)
    if shown is None:
        return redirect("cases-public-lookup")
    return render(request, "cases/public/receipt.html", shown)


@login_not_required
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    form = LookupForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        if _lookups_blocked(ip):
            return render(request, "cases/public/lookup.html", {**context, "throttled": True}, status=429)
        if form.is_valid():
            report = lookup_report(form.cleaned_data["receipt_no"], form.cleaned_data["code"])
            if report is None:
                record("cases.lookup_failed", detail={"receipt_no": form.cleaned_data["receipt_no"][:20]})
                context["not_found"] = True
            else:
                context.update(report=report, status_text=public_status(report))
    return render(request, "cases/public/lookup.html", context, status=404 if context.get("not_found") else 200)
