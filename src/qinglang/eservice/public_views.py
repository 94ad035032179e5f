"""Pages and callbacks that need no login: the residents' form and status check, the WeChat
callback and Open311. Each validates its input and is rate-limited or signature-checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from qinglang.audit.services import record
from qinglang.core.net import client_ip
from qinglang.core.throttle import audited_too_often
from qinglang.eservice import open311, services, wechat
from qinglang.eservice.forms import PublicRequestForm, RatingForm, TrackForm
from qinglang.eservice.models import Channel, ServiceRequest

HOUR = timedelta(hours=1)


def _form_blocked(ip: str | None) -> bool:
    if not ip:
        return False
    since = timezone.now() - HOUR
    recent = ServiceRequest.objects.filter(channel=Channel.WEB, submitter_ip=ip, created__gte=since).count()
    return recent >= settings.ESERVICE_FORM_LIMIT_PER_HOUR


def _track_blocked(ip: str | None) -> bool:
    # Failed look-ups are in the audit log already; counting them there works across processes.
    return audited_too_often(
        "eservice.track_failed", limit=settings.ESERVICE_TRACK_FAILURE_LIMIT, window_seconds=3600, ip=ip
    )


def _limited(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "eservice/public/limited.html", {"message": message}, status=429)


@login_not_required
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    if request.method == "POST" and _form_blocked(ip):
        return _limited(request, "您提交得太频繁了，请一小时后再试，或直接拨打e站电话。")
    form = PublicRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not form.cleaned_data["website"]:
        data = form.cleaned_data
        raw = json.dumps({k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}, ensure_ascii=False)
        try:
            req = services.create_request(services.Intake(
                channel=Channel.WEB, description=data["description"], request_type=data["request_type"],
                place=data["place"], name=data["name"], phone=data["phone"], submitter_ip=ip, raw=raw))
        except services.EserviceError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "eservice/public/received.html", {"req": req})
    return render(request, "eservice/public/form.html", {"form": form, "stations": services.stations()})


def _tracked(request: HttpRequest, form: TrackForm) -> ServiceRequest | None:
    data = form.cleaned_data
    req = services.find_for_resident(data["receipt_no"], data["phone_last4"])
    if req is None:
        record("eservice.track_failed", detail={"receipt_no": data["receipt_no"][:20]})
    return req


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Status by receipt number plus the phone's last four digits; rating once it is closed."""
    if request.method == "POST" and _track_blocked(client_ip(request)):
        return _limited(request, "查询失败次数过多，请一小时后再试。")
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        req = _tracked(request, form)
        if req is None:
            form.add_error(None, "受理编号与手机号后四位不匹配，请核对后重试。")
        else:
            context |= _rate_if_asked(request, req)
    return render(request, "eservice/public/track.html", context)


def _rate_if_asked(request: HttpRequest, req: ServiceRequest) -> dict[str, Any]:
    rating_form = RatingForm(request.POST if "rating" in request.POST else None)
    if rating_form.is_bound and rating_form.is_valid() and services.resident_can_rate(req):
        services.rate(req, rating_form.cleaned_data["rating"], comment=rating_form.cleaned_data["comment"])
        rating_form = RatingForm()
    req.refresh_from_db()
    return {"req": req, "history": req.transitions.all(), "rating_form": rating_form,
            "can_rate": services.resident_can_rate(req)}


@login_not_required
@require_GET
def station_directory(request: HttpRequest) -> HttpResponse:
    profiles = services.stations().select_related("station_profile").order_by("path")
    return render(request, "eservice/public/stations.html", {"stations": profiles})


# --- WeChat ---------------------------------------------------------------------------------------

def _wechat_query(request: HttpRequest) -> wechat.Query:
    get = request.GET.get
    return wechat.Query(signature=get("signature", ""), timestamp=get("timestamp", ""), nonce=get("nonce", ""),
                        encrypt_type=get("encrypt_type", ""), msg_signature=get("msg_signature", ""))


@csrf_exempt  # a machine callback, authenticated by WeChat's signature instead
@login_not_required
@require_http_methods(["GET", "POST"])
def wechat_callback(request: HttpRequest) -> HttpResponse:
    query = _wechat_query(request)
    try:
        wechat.check_query(query)
        if request.method == "GET":
            return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
        xml = wechat.read_body(request.body, query)
        text = wechat.handle(xml)
    except wechat.CallbackRefused as refused:
        record("eservice.wechat.refused", detail={"reason": str(refused)})
        return HttpResponse(str(refused), status=refused.status, content_type="text/plain")
    if not text:
        # "success" tells WeChat not to retry and to show nothing to the resident.
        return HttpResponse("success", content_type="text/plain")
    reply = wechat.render_reply(xml, text)
    if query.encrypt_type == "aes":
        reply = wechat.encrypt_reply(reply, query)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


# --- Open311 --------------------------------------------------------------------------------------

def _open311(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn Open311Error into the spec's error document in the requested format."""

    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except open311.Open311Error as error:
            return open311.render_error(error, fmt)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_not_required(wrapped)


@_open311
@require_GET
def open311_discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("eservice-open311-services", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0]  # …/open311/v2, which clients append "/services.xml" to
    data = open311.discovery(base, request.build_absolute_uri(reverse("eservice-public-stations")))
    return open311.render(data, fmt, "discovery", "discovery")


@_open311
@require_GET
def open311_services(request: HttpRequest, fmt: str) -> HttpResponse:
    data = [open311.service_entry(rt) for rt in services.ensure_request_types()]
    return open311.render(data, fmt, "services", "service")


@_open311
@require_GET
def open311_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return open311.render(open311.service_definition(code), fmt, "service_definition", "service_definition")


@csrf_exempt  # machine clients authenticate with their api_key
@_open311
@require_http_methods(["GET", "POST"])
def open311_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        created = open311.post_request(request.POST, client_ip(request))
        return open311.render(created, fmt, "service_requests", "request", status=201)
    entries = open311.request_entries(open311.find_requests(request.GET))
    return open311.render(entries, fmt, "service_requests", "request")


@_open311
@require_GET
def open311_request(request: HttpRequest, receipt_no: str, fmt: str) -> HttpResponse:
    found = ServiceRequest.objects.filter(receipt_no=receipt_no).select_related(
        "request_type", "station", "handling_department").first()
    if found is None:
        raise open311.Open311Error(404, f"没有编号为 {receipt_no} 的诉求 (no such request)")
    return open311.render([open311.request_entry(found)], fmt, "service_requests", "request")
