from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinglang.audit.services import record
from qinglang.evidence import services
from qinglang.evidence.forms import BatchForm, CaptureForm, ShareForm
from qinglang.evidence.models import Batch, Capture

LIST_LIMIT = 200


def _capture(request: HttpRequest, public_id: str) -> Capture:
    """The capture if the user's department may see it; 404 otherwise (no hint that it exists)."""
    return get_object_or_404(services.visible(request.user), public_id=public_id)


def _require_capturer(request: HttpRequest) -> None:
    if not services.can_capture(request.user):
        raise PermissionDenied


@require_GET
def capture_list(request: HttpRequest) -> HttpResponse:
    captures = services.visible(request.user)
    query = request.GET.get("q", "").strip()[:200]
    if query:
        captures = captures.filter(
            Q(url__icontains=query)
            | Q(public_id__icontains=query)
            | Q(case_reference__icontains=query)
            | Q(title__icontains=query)
        )
    return render(
        request,
        "evidence/list.html",
        {
            "captures": captures[:LIST_LIMIT],
            "query": query,
            "can_capture": services.can_capture(request.user),
        },
    )


def capture_new(request: HttpRequest) -> HttpResponse:
    _require_capturer(request)
    if request.method == "POST":
        form = CaptureForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            capture = services.request_capture(
                request.user,
                data["url"],
                data["reason"],
                case_reference=data["case_reference"],
                source=data["source"],
                recapture_every_hours=data["recapture_every_hours"],
            )
            messages.success(request, _("Capture queued: %(id)s") % {"id": capture.public_id})
            return redirect("evidence-detail", public_id=capture.public_id)
    else:
        # One click from a monitored document or an alert: they link here with the fields filled in.
        initial = {
            key: request.GET.get(param, "")[:2000]
            for key, param in (("url", "url"), ("reason", "reason"), ("case_reference", "case"), ("source", "source"))
        }
        form = CaptureForm(initial=initial)
    return render(request, "evidence/new.html", {"form": form})


def batch_new(request: HttpRequest) -> HttpResponse:
    _require_capturer(request)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = services.request_batch(request.user, data["urls"], data["reason"], data["case_reference"])
        return redirect("evidence-batch-detail", pk=batch.pk)
    return render(request, "evidence/batch.html", {"form": form})


@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch, pk=pk)
    captures = services.visible(request.user).filter(batch=batch)
    if batch.operator_id != request.user.pk and not captures.exists() and not request.user.sees_everything:  # type: ignore[union-attr]
        raise Http404
    return render(request, "evidence/batch_detail.html", {"batch": batch, "captures": captures})


@require_GET
def capture_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    capture = _capture(request, public_id)
    services.viewed(capture, request.user)
    owner = services.owns(request.user, capture) and services.can_capture(request.user)
    shared = list(capture.shared_with.all())
    exclude = [d.pk for d in shared] + ([capture.department_id] if capture.department_id else [])
    chain_ok, broken = services.verify_custody(capture)
    return render(
        request,
        "evidence/detail.html",
        {
            "capture": capture,
            "owner": owner,
            "shared": shared,
            "share_form": ShareForm(exclude=exclude),
            "custody": capture.custody.select_related("actor"),
            "history": capture.history.all(),
            "chain_ok": chain_ok,
            "chain_broken": broken,
            "recaptures": capture.recaptures.all()[:20],
        },
    )


@require_GET
def capture_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    capture = _capture(request, public_id)
    response = render(request, "evidence/_progress.html", {"capture": capture})
    if capture.finished_work:
        response["HX-Refresh"] = "true"  # reload once so the sealed package's facts appear
    return response


@require_GET
def capture_download(request: HttpRequest, public_id: str) -> FileResponse:
    capture = _capture(request, public_id)
    if not capture.package:
        raise Http404
    services.exported(capture, request.user)
    return FileResponse(
        capture.package.open("rb"),
        as_attachment=True,
        filename=f"{capture.public_id}.wacz",
        content_type="application/wacz",
    )


@require_GET
def capture_screenshot(request: HttpRequest, public_id: str) -> HttpResponse:
    capture = _capture(request, public_id)
    data = services.read_artefact(capture, "evidence/screenshot.png")
    if data is None:
        raise Http404
    record("evidence.artefact_read", target=capture, detail={"public_id": capture.public_id, "file": "screenshot.png"})
    return HttpResponse(data, content_type="image/png")


@require_POST
def capture_share(request: HttpRequest, public_id: str) -> HttpResponse:
    capture = _capture(request, public_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a department to share with."))
        return redirect("evidence-detail", public_id=public_id)
    try:
        services.share(capture, form.cleaned_data["department"], request.user)
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("Shared with %(dept)s.") % {"dept": form.cleaned_data["department"]})
    return redirect("evidence-detail", public_id=public_id)


@require_POST
def capture_recapture(request: HttpRequest, public_id: str) -> HttpResponse:
    capture = _capture(request, public_id)
    try:
        new = services.recapture(capture, request.user)
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("evidence-detail", public_id=new.public_id)
