"""Pages of the monitor: events, an event, watched enterprises, alerts, search, sources, reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinglang.audit.services import record
from qinglang.monitor import display, merging, reports, search, tasks
from qinglang.monitor.access import manager_view, may_manage, monitor_view
from qinglang.monitor.alerts import OPEN, AlertStateError, set_status
from qinglang.monitor.analysis import kinds, query_words
from qinglang.monitor.filters import LEVELS, by_current_heat, filter_documents, filter_events, from_params
from qinglang.monitor.forms import (
    AlertRuleForm,
    AliasForm,
    ImportForm,
    ReasonForm,
    ReportForm,
    SourceForm,
    WatchedEntityForm,
)
from qinglang.monitor.ingest import default_department, retry_rejected, source_named
from qinglang.monitor.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Document,
    Event,
    ImportJob,
    Mention,
    RawInput,
    Report,
    Source,
    SourceKind,
    WatchedAlias,
    WatchedEntity,
    live,
)
from qinglang.org.scoping import visible_to

PAGE_SIZE = 30


def _events(request: HttpRequest) -> QuerySet[Event]:
    return visible_to(request.user, Event.objects.all(), shared_field="shared_with")


def _event_numbered(request: HttpRequest, number: str, **where: Any) -> Event | None:
    """The event a form names by number ("12"), if the user may see it (and it is ``where``)."""
    valid = number.isascii() and number.isdigit() and len(number) < 19   # not "²", not past bigint
    return _events(request).filter(pk=int(number), **where).first() if valid else None


def _documents(request: HttpRequest) -> QuerySet[Document]:
    return visible_to(request.user, Document.objects.select_related("source"))


def _alerts(request: HttpRequest) -> QuerySet[Alert]:
    return visible_to(request.user, Alert.objects.select_related("event"), shared_field="shared_with")


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "filters": from_params(request.GET),
        "levels": LEVELS,
        "source_names": Source.objects.values_list("name", flat=True),
        "entity_names": WatchedEntity.objects.filter(active=True).values_list("name", flat=True),
        "kind_names": kinds(),
    }


# -- events -------------------------------------------------------------------------------------


@monitor_view
@require_GET
def events(request: HttpRequest) -> HttpResponse:
    context = _filter_context(request)
    if "days" not in request.GET:
        # Quiet events sink by themselves (filters.current_heat); by default the list also
        # leaves out what has been silent for more than a week.
        context["filters"].days = 7
    ranked = by_current_heat(filter_events(live(_events(request)), context["filters"]))
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    # One grouped query for the volume series of every event on the page.
    counts = display.daily_counts([e.pk for e in page])
    rows = [{"event": e, "spark": display.sparkline_points(counts.get(e.pk, []))} for e in page]
    series = {"days": display.day_labels(), "events": {str(pk): c for pk, c in counts.items()}}
    return render(request, "monitor/events.html", {**context, "page": page, "rows": rows, "series": series})


def _spread(event: Event, docs: QuerySet[Document]) -> list[dict[str, Any]]:
    """Which sources picked the story up, when first, and how many copies each carried."""
    rows: Any = docs.values("source__name").annotate(
        first=Min("published_at"), n=Count("id"), copy_count=Count("id", filter=Q(duplicate_of__isnull=False))
    )
    return sorted(rows, key=lambda r: r["first"])


@monitor_view
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(_events(request), pk=pk)
    if event.merged_into_id is not None:
        target = _events(request).filter(pk=merging.final(event).pk).first()
        if target is None:   # merged into an event this user may not see
            raise Http404
        messages.info(request, _("This event was merged into “%(label)s”.") % {"label": target.label})
        return redirect("monitor-event", pk=target.pk)
    docs = event.documents.select_related("source", "duplicate_of")
    page = Paginator(docs.order_by("published_at", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "monitor/event.html", {
        "event": event,
        "first": docs.order_by("published_at", "pk").first(),
        "spread": _spread(event, docs),
        "page": page,
        "highlighted": [(doc, display.highlight(doc)) for doc in page],
        "chart": display.timeline(docs),
        "alerts": event.alerts.all(),
        "suggestions": merging.suggestions(event, _events(request)),
        "merged": event.merged_events.order_by("-merged_at"),
        "may_merge": may_manage(request.user),
    })


@manager_view
@require_POST
def event_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another event (``other``) into this one, with the analyst's reason."""
    target = get_object_or_404(_events(request), pk=pk)
    source = _event_numbered(request, request.POST.get("other", ""))
    if source is None:
        messages.error(request, _("No such event to merge."))
        return redirect("monitor-event", pk=target.pk)
    try:
        merging.merge(target, source, request.user, request.POST.get("reason", ""))
    except merging.MergeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Merged “%(label)s” into this event.") % {"label": source.label})
    return redirect("monitor-event", pk=target.pk)


@manager_view
@require_POST
def event_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo the merge of an event (``other``) into this one, with the analyst's reason."""
    target = get_object_or_404(_events(request), pk=pk)
    source = _event_numbered(request, request.POST.get("other", ""), merged_into=target)
    if source is None:
        messages.error(request, _("No such merged event."))
        return redirect("monitor-event", pk=target.pk)
    try:
        merging.unmerge(source, request.user, request.POST.get("reason", ""))
    except merging.MergeError as error:
        messages.error(request, str(error))
        return redirect("monitor-event", pk=target.pk)
    messages.success(request, _("The merge of “%(label)s” was undone.") % {"label": source.label})
    return redirect("monitor-event", pk=source.pk)


@manager_view
@require_POST
def document_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a document out of its event: into another event (``to`` = its number) or into a
    new event of its own (``to`` = "new")."""
    doc = get_object_or_404(_documents(request), pk=pk)
    back = redirect("monitor-event", pk=doc.event_id) if doc.event_id else redirect("monitor-events")
    wanted = request.POST.get("to", "")
    to = None if wanted == "new" else _event_numbered(request, wanted)
    if wanted != "new" and to is None:
        messages.error(request, _("No such event to move the document to."))
        return back
    try:
        now_in = merging.move(doc, to, request.user, request.POST.get("reason", ""))
    except merging.MergeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Document #%(doc)s moved to “%(label)s”.") % {"doc": doc.pk, "label": now_in.label})
    return back


# -- watched enterprises --------------------------------------------------------------------------


def _entity_stats(entity: WatchedEntity, since: Any) -> dict[str, Any]:
    mentions = Mention.objects.filter(entity=entity, published_at__gte=since)
    total = mentions.count()
    negative = mentions.filter(negative=True).count()
    categories = sorted({c for row in mentions.values_list("categories", flat=True) for c in row})
    open_alerts = Alert.objects.filter(event__mentions__entity=entity, status__in=OPEN).distinct().count()
    return {"entity": entity, "mentions": total, "negative": negative,
            "negative_share": negative / total if total else 0.0, "categories": categories,
            "open_alerts": open_alerts}


@monitor_view
def watched(request: HttpRequest) -> HttpResponse:
    form = WatchedEntityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            entity = form.save(commit=False)
            entity.department = getattr(request.user, "department", None)
            entity.save()
            WatchedAlias.objects.bulk_create(WatchedAlias(entity=entity, alias=a) for a in form.cleaned_data["aliases"])
            record("monitor.watched.created", target=entity, detail={"aliases": form.cleaned_data["aliases"]})
        messages.success(request, _("Added to the watch list."))
        return redirect("monitor-watched-detail", pk=entity.pk)
    since = timezone.now() - timedelta(days=30)
    entities = WatchedEntity.objects.prefetch_related("aliases").order_by("-active", "name")
    rows = [_entity_stats(e, since) for e in entities]
    return render(request, "monitor/watched.html", {"rows": rows, "form": form})


def _mention_chart(entity: WatchedEntity, days: int = 30) -> dict[str, list[Any]]:
    start = timezone.localdate() - timedelta(days=days - 1)
    span = [start + timedelta(days=i) for i in range(days)]
    rows = Mention.objects.filter(entity=entity, published_at__date__gte=start).values_list("published_at", "negative")
    total = dict.fromkeys(span, 0)
    negative = dict.fromkeys(span, 0)
    for at, is_negative in rows:
        day = timezone.localtime(at).date()
        if day in total:
            total[day] += 1
            negative[day] += bool(is_negative)
    return {"labels": [d.strftime("%m-%d") for d in span], "counts": list(total.values()),
            "negative": list(negative.values())}


@monitor_view
def watched_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(WatchedEntity.objects.prefetch_related("aliases"), pk=pk)
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        alias = WatchedAlias.objects.create(entity=entity, alias=form.cleaned_data["alias"])
        record("monitor.watched.alias_added", target=entity, detail={"alias": alias.alias})
        messages.success(request, _("Alias added."))
        return redirect("monitor-watched-detail", pk=entity.pk)
    mentions = Mention.objects.filter(entity=entity).select_related("document__source", "event")
    visible = set(_documents(request).filter(mentions__entity=entity).values_list("pk", flat=True)[:500])
    recent = [m for m in mentions.order_by("-published_at")[:100] if m.document_id in visible][:30]
    return render(request, "monitor/watched_detail.html", {
        "stats": _entity_stats(entity, timezone.now() - timedelta(days=30)), "entity": entity, "form": form,
        "recent": recent, "chart": _mention_chart(entity),
        "events": _events(request).filter(mentions__entity=entity).distinct().order_by("-heat")[:10],
    })


@monitor_view
@require_POST
def watched_alias_remove(request: HttpRequest, pk: int, alias_pk: int) -> HttpResponse:
    alias = get_object_or_404(WatchedAlias, pk=alias_pk, entity_id=pk)
    alias.delete()
    record("monitor.watched.alias_removed", target=alias.entity, detail={"alias": alias.alias})
    messages.success(request, _("Alias removed."))
    return redirect("monitor-watched-detail", pk=pk)


@monitor_view
@require_POST
def watched_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(WatchedEntity, pk=pk)
    entity.active = not entity.active
    entity.save(update_fields=["active"])
    record("monitor.watched.active" if entity.active else "monitor.watched.inactive", target=entity)
    return redirect("monitor-watched-detail", pk=pk)


# -- alerts -------------------------------------------------------------------------------------


def _link(url_name: str, params: dict[str, str]) -> str:
    """A hand-off link into another module, or "" while that module is not installed."""
    try:
        return f"{reverse(url_name)}?{urlencode(params)}"
    except NoReverseMatch:
        return ""


def _with_handoff(alerts: Iterable[Alert]) -> list[Alert]:
    """Attach the evidence and case links (the other modules read these query parameters)."""
    rows = list(alerts)
    for alert in rows:
        first = alert.event.first_document
        url = first.url if first is not None else ""
        ref = f"monitor.alert:{alert.pk}"
        alert.capture_url = _link(  # type: ignore[attr-defined]
            "evidence-new", {"url": url, "reason": alert.title, "source": ref}) if url else ""
        alert.case_url = _link("cases-report-new", {  # type: ignore[attr-defined]
            "source": "alert", "source_ref": ref, "target_url": url,
            "description": "\n".join([alert.title, *alert.reasons[:5]])})
    return rows


def _inbox(request: HttpRequest) -> dict[str, Any]:
    status = request.GET.get("status", "open")
    alerts = _alerts(request).select_related("event__first_document")
    alerts = alerts.filter(status__in=OPEN) if status == "open" else alerts.filter(status=status)
    return {"alerts": _with_handoff(alerts.order_by("-created")[:100]), "status": status,
            "statuses": AlertStatus.choices}


@monitor_view
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    return render(request, "monitor/alerts.html", _inbox(request))


@monitor_view
@require_GET
def alerts_live(request: HttpRequest) -> HttpResponse:
    """The inbox's list, polled by htmx so new alerts appear without reloading."""
    return render(request, "monitor/_alert_list.html", _inbox(request))


ACTIONS = {"acknowledge": AlertStatus.ACKNOWLEDGED, "escalate": AlertStatus.ESCALATED,
           "dismiss": AlertStatus.DISMISSED}


@monitor_view
@require_POST
def alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = get_object_or_404(_alerts(request), pk=pk)
    if action not in ACTIONS:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        set_status(alert, ACTIONS[action], actor=request.user, reason=reason)
        messages.success(request, _("Alert updated: %(status)s.") % {"status": alert.get_status_display()})
    except AlertStateError as error:
        messages.error(request, str(error))
    return redirect("monitor-alerts")


@monitor_view
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(_alerts(request), pk=pk)
    return render(request, "monitor/alert.html", {"alert": alert, "alert_list": _with_handoff([alert]),
                                                  "history": alert.history.select_related("actor")})


# -- alert rules ------------------------------------------------------------------------------

RULE_AUDIT_FIELDS = ("name", "kind", "level", "entity_id", "category", "keyword", "min_size", "negativity", "enabled")


def _rule_state(rule: AlertRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in RULE_AUDIT_FIELDS}


@manager_view
def rules(request: HttpRequest) -> HttpResponse:
    form = AlertRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            rule = form.save()
            record("monitor.rule.created", target=rule, detail=_rule_state(rule))
        messages.success(request, _("Alert rule “%(name)s” added.") % {"name": rule.name})
        return redirect("monitor-rules")
    rows = AlertRule.objects.select_related("entity").annotate(alert_count=Count("alerts")).order_by("-enabled", "name")
    return render(request, "monitor/rules.html", {"rules": rows, "form": form})


@manager_view
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AlertRule, pk=pk)
    before = _rule_state(rule)
    form = AlertRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            rule = form.save()
            after = _rule_state(rule)
            changed = {k: {"from": before[k], "to": after[k]} for k in RULE_AUDIT_FIELDS if before[k] != after[k]}
            if changed:
                record("monitor.rule.changed", target=rule, detail={"changes": changed})
        messages.success(request, _("Alert rule “%(name)s” saved.") % {"name": rule.name})
        return redirect("monitor-rules")
    # The stored name: an invalid form has already copied the posted values onto ``rule``.
    return render(request, "monitor/rule.html", {"rule_name": before["name"], "form": form})


@manager_view
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        rule = get_object_or_404(AlertRule.objects.select_for_update(), pk=pk)
        rule.enabled = not rule.enabled
        rule.save(update_fields=["enabled"])
        record("monitor.rule.enabled" if rule.enabled else "monitor.rule.disabled", target=rule)
    if rule.enabled:
        messages.success(request, _("Alert rule “%(name)s” switched on.") % {"name": rule.name})
    else:
        messages.success(request, _("Alert rule “%(name)s” switched off.") % {"name": rule.name})
    return redirect("monitor-rules")


# -- search ----------------------------------------------------------------------------------


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most ``CAP`` results: an exact count of a third of a million matches costs half
    a second, and nobody pages that far; the page says "more than 1,000" instead."""

    CAP = 1000

    @cached_property
    def count(self) -> int:
        results: Any = self.object_list
        # unordered: with the page's ORDER BY, PostgreSQL would fetch and sort every match
        # before it could stop at CAP (0.15 s for 40,000 matches in a million documents)
        return len(results.order_by().values_list("pk", flat=True)[: self.CAP + 1])

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


@monitor_view
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    context = _filter_context(request)
    query = request.GET.get("q", "").strip()[:200]
    page = None
    results: list[Any] = []
    if query:
        docs = filter_documents(search.matching(_documents(request), query), context["filters"])
        # Newest received first: the id order is the full-text index's own, so the first page
        # of a query matching a third of a million documents still comes back in milliseconds.
        page = CappedPaginator(docs.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        words = query_words(query)
        results = [(doc, display.highlight(doc, words)) for doc in page]
    return render(request, "monitor/search.html", {**context, "q": query, "page": page, "results": results})


# -- sources and imports -----------------------------------------------------------------------


def _rejects(request: HttpRequest) -> QuerySet[RawInput]:
    # Raw payloads can hold anything a sender posted: only the source's department sees them
    # (input that never reached a source, like a body that is not JSON, only administrators).
    return visible_to(request.user, RawInput.objects.select_related("source"), field="source__department")


def _source_health(source: Source, since: Any) -> dict[str, Any]:
    return {"source": source, "day": source.documents.filter(received_at__gte=since).count(),
            "rejects": source.rejects.filter(resolved=False).count()}


@monitor_view
def sources(request: HttpRequest) -> HttpResponse:
    form = SourceForm(request.POST or None, prefix="source")
    if request.method == "POST" and form.is_valid():
        source = form.save(commit=False)
        source.department = getattr(request.user, "department", None) or default_department()
        source.save()
        record("monitor.source.created", target=source, detail={"url": source.url, "kind": source.kind})
        messages.success(request, _("Source added; it will be fetched within a minute."))
        return redirect("monitor-sources")
    since = timezone.now() - timedelta(days=1)
    rows = [_source_health(s, since) for s in visible_to(request.user, Source.objects.all())]
    return render(request, "monitor/sources.html", {
        "rows": rows, "form": form, "import_form": ImportForm(prefix="import"),
        "jobs": ImportJob.objects.filter(caller_id=request.user.pk)[:5],
        "rejects": _rejects(request).filter(resolved=False)[:20],
    })


@monitor_view
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES, prefix="import")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("monitor-sources")
    upload = form.cleaned_data["file"]
    folder = Path(settings.MEDIA_ROOT) / "monitor-imports"
    folder.mkdir(parents=True, exist_ok=True)
    source = source_named(form.cleaned_data["source"], kind=SourceKind.IMPORT,
                          department=getattr(request.user, "department", None))
    job = ImportJob.objects.create(source=source, caller_id=request.user.pk, file_name=upload.name[:200], path="")
    path = folder / f"{job.pk}-{Path(upload.name).name}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    from qinglang.monitor.ingest import count_rows

    job.path, job.total = str(path), count_rows(str(path))
    job.save(update_fields=["path", "total"])
    record("monitor.import.started", target=source, detail={"file": job.file_name, "rows": job.total})
    transaction.on_commit(lambda: tasks.enqueue(tasks.run_import, job.pk))
    return redirect("monitor-import", pk=job.pk)


@monitor_view
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("source"), pk=pk, caller_id=request.user.pk)
    template = "monitor/_import_progress.html" if request.headers.get("HX-Request") else "monitor/import.html"
    return render(request, template, {"job": job})


@monitor_view
@require_POST
def reject_retry(request: HttpRequest, pk: int) -> HttpResponse:
    raw = get_object_or_404(_rejects(request).select_related("caller"), pk=pk, resolved=False)
    outcome = retry_rejected(raw)
    record("monitor.reject.retried", target=raw, detail={"status": outcome.status, "error": outcome.error})
    if outcome.status == "error":
        messages.error(request, outcome.error)
    else:
        messages.success(request, _("Taken in on retry."))
    return redirect("monitor-sources")


# -- reports ------------------------------------------------------------------------------------


@monitor_view
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, initial={"kind": "daily", "day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        start, end = reports.period(form.cleaned_data["kind"], form.cleaned_data["day"])
        report = reports.generate(form.cleaned_data["kind"], start, end, user=request.user)
        return redirect("monitor-report", pk=report.pk)
    return render(request, "monitor/reports.html", {"form": form, "reports": Report.objects.all()[:50]})


@monitor_view
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    return render(request, "monitor/report.html", {"report": report, "data": report.data,
                                                   "title": reports.title_of(report.data)})


EXPORTS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", reports.to_xlsx),
    "pdf": ("application/pdf", reports.to_pdf),
}


@monitor_view
@require_GET
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    if fmt not in EXPORTS:
        raise Http404
    content_type, render_bytes = EXPORTS[fmt]
    response = HttpResponse(render_bytes(report.data), content_type=content_type)
    name = f"report-{report.kind}-{report.period_start:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    record("monitor.report.exported", target=report, detail={"format": fmt})
    return response
