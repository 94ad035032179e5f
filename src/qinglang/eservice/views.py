"""Staff pages (login required, mounted at /eservice/): dashboard, request list and detail with
the actions of the closed loop, staff entry for walk-in and phone callers, stations, export."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglang.audit.services import record
from qinglang.core.workdays import working_days_left
from qinglang.eservice import exports, services, stats
from qinglang.eservice.forms import (
    AgreementForm,
    ContactForm,
    DispatchForm,
    FollowUpForm,
    MediationSessionForm,
    ReminderForm,
    RequestTypeForm,
    StaffRequestForm,
    StationProfileForm,
    TextForm,
)
from qinglang.eservice.models import OPEN_STATUSES, Channel, RequestType, ServiceRequest, StationProfile, Status
from qinglang.eservice.privacy import mask_name, mask_phone
from qinglang.org.scoping import visible_to


def visible_requests(user: Any) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.select_related("request_type", "station", "handling_department", "assignee")
    return visible_to(user, qs, field="station", shared_field="shared_with")


def counted_requests(user: Any) -> QuerySet[ServiceRequest]:
    """The visible requests as a plain query for aggregates: the sharing join behind
    ``visible_to`` can repeat a row, which DISTINCT hides from lists but not from COUNT/AVG."""
    return ServiceRequest.objects.filter(pk__in=visible_requests(user).values("pk"))


def _get_request(request: HttpRequest, receipt_no: str) -> ServiceRequest:
    found = visible_requests(request.user).filter(receipt_no=receipt_no).first()
    if found is None:
        raise Http404
    return found


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    data = stats.dashboard(counted_requests(request.user))
    return render(request, "eservice/dashboard.html", {
        "data": data, "chart": data["chart"], "can_manage_types": services.can_manage_request_types(request.user)})


def _filtered(request: HttpRequest) -> QuerySet[ServiceRequest]:
    qs = visible_requests(request.user)
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "overdue":
        qs = services.overdue(qs)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("topic"):
        qs = qs.filter(topic_key=request.GET["topic"])
    return qs


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_filtered(request), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"req": req, "name": mask_name(req.name), "phone": mask_phone(req.phone),
             "overdue": req.is_open and req.due_at < now} for req in page]
    return render(request, "eservice/request_list.html", {
        "page": page, "rows": rows, "statuses": Status.choices, "current": request.GET.get("status", "")})


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    qs = _filtered(request)
    record("eservice.request.export", detail={"count": qs.count(), "filter": request.GET.get("status", "")})
    return exports.xlsx_response(qs)


def _posted(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    form = StaffRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        intake = services.Intake(channel=data["channel"], description=data["description"],
                                 request_type=data["request_type"], place=data["place"], name=data["name"],
                                 phone=data["phone"], station=data["station"],
                                 raw=json.dumps(_posted(request), ensure_ascii=False))
        try:
            req = services.create_request(intake, actor=request.user)
        except services.EserviceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, pgettext("eservice", "Request %(no)s accepted.") % {"no": req.receipt_no})
            return redirect("eservice-request", receipt_no=req.receipt_no)
    return render(request, "eservice/request_new.html", {"form": form})


def _days(req: ServiceRequest) -> dict[str, int | None]:
    if not req.is_open:
        return {"days_left": None, "days_overdue": None}
    left = working_days_left(timezone.now(), req.due_at)
    if req.due_at < timezone.now():
        return {"days_left": None, "days_overdue": max(-left, 1)}
    return {"days_left": left, "days_overdue": None}


def _detail_context(request: HttpRequest, req: ServiceRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "req": req,
        "masked_name": mask_name(req.name),
        "masked_phone": mask_phone(req.phone),
        "can_reveal": services.is_assigned(user, req) and bool(req.name or req.phone),
        "can_handle": services.can_handle(user, req),
        "can_coordinate": services.can_coordinate(user, req),
        "can_supervise": services.can_supervise(user, req),
        "allowed": services.TRANSITIONS[req.status],
        "steps": services.next_steps(user, req),
        "responsible": (services.responsible_department(req)
                        if req.status in (Status.DISPATCHED, Status.IN_PROGRESS) else req.station),
        **_days(req),
        "history": req.transitions.select_related("actor"),
        "contacts": req.contacts.select_related("actor"),
        "reminders": req.reminders.select_related("actor"),
        "sessions": req.mediation_sessions.all() if req.request_type.is_mediation else None,
        "agreement": getattr(req, "agreement", None) if req.request_type.is_mediation else None,
        "forms": _action_forms(req),
    }


@require_GET
def request_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    req = _get_request(request, receipt_no)
    return render(request, "eservice/request_detail.html", _detail_context(request, req))


@require_POST
def reveal(request: HttpRequest, receipt_no: str) -> HttpResponse:
    req = _get_request(request, receipt_no)
    try:
        personal = services.reveal_personal_data(req, actor=request.user)
    except services.NotPermitted:
        refusal = pgettext("eservice", "Only the assigned staff may see the full name and phone.")
        return HttpResponse(refusal, status=403)
    return render(request, "eservice/_personal.html", {"personal": personal})


# --- actions --------------------------------------------------------------------------------------

Action = Callable[[ServiceRequest, Any, dict[str, Any]], object]

ACTIONS: dict[str, tuple[type[Form] | None, Action]] = {
    "dispatch": (DispatchForm, lambda r, u, d: services.dispatch(r, d["department"], actor=u, note=d["note"])),
    "return": (TextForm, lambda r, u, d: services.return_to_station(r, actor=u, reason=d["text"])),
    "start": (None, lambda r, u, d: services.start(r, actor=u)),
    "reply": (TextForm, lambda r, u, d: services.reply(r, d["text"], actor=u)),
    "reopen": (TextForm, lambda r, u, d: services.reopen(r, actor=u, reason=d["text"])),
    "close": (None, lambda r, u, d: services.close(r, actor=u)),
    "follow_up": (FollowUpForm, lambda r, u, d: services.follow_up(r, actor=u, note=d["note"], rating=d["rating"])),
    "contact": (ContactForm, lambda r, u, d: services.log_contact(r, d["kind"], d["note"], actor=u)),
    "remind": (ReminderForm, lambda r, u, d: services.remind(r, d["kind"], actor=u, note=d["note"])),
    "session": (MediationSessionForm, lambda r, u, d: services.add_mediation_session(r, actor=u, **d)),
    "agreement": (AgreementForm, lambda r, u, d: services.record_agreement(r, actor=u, **d)),
}


def _action_forms(req: ServiceRequest) -> dict[str, Form]:
    """One unbound form per action, each with its own prefix so field ids never clash."""
    forms = {name: form_class(prefix=name) for name, (form_class, _run) in ACTIONS.items() if form_class}
    forms["dispatch"] = DispatchForm(prefix="dispatch",
                                     initial={"department": req.request_type.department_id or req.station_id})
    return forms


def _form_errors(form: Form) -> str:
    return "；".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
def request_action(request: HttpRequest, receipt_no: str, action: str) -> HttpResponse:
    req = _get_request(request, receipt_no)
    if action not in ACTIONS:
        raise Http404
    form_class, run = ACTIONS[action]
    form = form_class(request.POST, prefix=action) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("eservice-request", receipt_no=req.receipt_no)
    try:
        run(req, request.user, form.cleaned_data if form else {})
    except services.EserviceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, pgettext("eservice", "Done."))
    return redirect("eservice-request", receipt_no=req.receipt_no)


@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    depts = visible_to(request.user, services.stations(), field=None).select_related("station_profile")
    rows = [{"dept": d, "profile": getattr(d, "station_profile", None),
             "staff": list(d.members.filter(is_active=True)),
             "can_edit": services.can_manage_station(request.user, d)} for d in depts]
    return render(request, "eservice/stations.html", {
        "rows": rows, "channels": Channel.choices,
        "can_manage_types": services.can_manage_request_types(request.user)})


# --- settings: station profiles and request types -----------------------------------------------

@require_http_methods(["GET", "POST"])
def station_edit(request: HttpRequest, code: str) -> HttpResponse:
    """A station's profile, for its staff and those above it; others do not see the station."""
    station = visible_to(request.user, services.stations(), field=None).filter(code=code).first()
    if station is None:
        raise Http404
    if not services.can_manage_station(request.user, station):
        raise PermissionDenied
    profile = StationProfile.objects.filter(department=station).first() or StationProfile(department=station)
    before = model_to_dict(profile)
    form = StationProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.save_station_profile(form.instance, before, actor=request.user)
        messages.success(request, pgettext("eservice", "Station profile saved."))
        return redirect("eservice-stations")
    staff = station.members.filter(is_active=True).order_by("username")
    return render(request, "eservice/station_edit.html", {"station": station, "form": form, "staff": staff})


def _require_type_keeper(request: HttpRequest) -> None:
    if not services.can_manage_request_types(request.user):
        raise PermissionDenied


@require_GET
def request_types(request: HttpRequest) -> HttpResponse:
    _require_type_keeper(request)
    services.ensure_request_types()
    types = RequestType.objects.select_related("department")
    return render(request, "eservice/request_types.html", {"types": types})


@require_http_methods(["GET", "POST"])
def request_type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_type_keeper(request)
    instance = RequestType() if pk is None else RequestType.objects.filter(pk=pk).first()
    if instance is None:
        raise Http404
    before = model_to_dict(instance) if pk is not None else {}
    form = RequestTypeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = services.save_request_type(form.instance, before, actor=request.user)
        messages.success(request, pgettext("eservice", "Request type “%(name)s” saved.") % {"name": saved.name})
        return redirect("eservice-request-types")
    return render(request, "eservice/request_type_form.html", {"form": form, "instance": instance})
