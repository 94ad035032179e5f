"""零时差感知民情: request texts go through the monitoring engine, so recurring local issues
cluster into topics and online harm is spotted and handed on to the cases module."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qinglang.audit.services import record
from qinglang.engine import Doc, Engine
from qinglang.eservice.models import ServiceRequest
from qinglang.eservice.privacy import mask_phones_in_text

log = logging.getLogger(__name__)
LABEL_LENGTH = 60


@cache
def _stateless_engine() -> Engine:
    # Loading the models takes a moment; the stateless stage keeps no stream state, so one engine
    # per worker process serves every request.
    return Engine()


def _doc(req: ServiceRequest) -> Doc:
    text = f"{req.place} {req.description}".strip()
    return Doc(id=str(req.pk), text=text, time=req.created.timestamp(), source=f"station:{req.station_id}")


def classify_request(pk: int) -> None:
    """Harm categories of one request; forward it to cases when it concerns online harm."""
    req = ServiceRequest.objects.select_related("request_type").filter(pk=pk).first()
    if req is None:
        return
    features = _stateless_engine().analyze(_doc(req))
    categories = sorted({hit.code for hit in features.categories})
    ServiceRequest.objects.filter(pk=pk).update(harm_categories=categories)
    if req.request_type.concerns_online_harm or categories:
        forward_to_cases(pk)


def _cases_hook() -> Any:
    """``qinglang.cases.services.report_from_eservice(request) -> str`` once the cases module
    provides it; until then requests wait (``case_reference`` stays empty) and are sent later."""
    try:
        module = import_module("qinglang.cases.services")
    except ImportError:
        return None
    return getattr(module, "report_from_eservice", None)


def forward_to_cases(pk: int) -> bool:
    """Hand one request to the cases module, exactly once.

    The row lock is the claim: a second worker skips a request being handed over, and as the
    report is filed inside the same transaction, a failure or a crash rolls both back, leaving
    the request to be sent again by the next sweep.
    """
    hook = _cases_hook()
    if hook is None:
        return False
    with transaction.atomic():
        req = (ServiceRequest.objects.select_for_update(skip_locked=True)
               .filter(pk=pk, case_reference="").first())
        if req is None:
            return False
        reference = str(hook(req))[:60]
        ServiceRequest.objects.filter(pk=pk).update(case_reference=reference)
        record("eservice.request.forwarded_to_cases", target=req, detail={"case": reference})
    return True


def cluster_recent(days: int | None = None) -> int:
    """Cluster the last ``days`` of requests from scratch and store each one's topic.

    The engine's clustering is stateful, so it is rebuilt from the stored requests in time order;
    the same input gives the same topics, which makes the task idempotent. A topic is named by
    its first request's receipt number and labelled with that request's (phone-masked) text.
    """
    since = timezone.now() - timedelta(days=days or settings.ESERVICE_SENSING_DAYS)
    rows = list(ServiceRequest.objects.filter(created__gte=since).select_related("request_type")
                .order_by("created", "pk"))
    engine = Engine()
    first_of_event: dict[str, ServiceRequest] = {}
    now = timezone.now()
    for req in rows:
        result = engine.process_one(_doc(req))
        first = first_of_event.setdefault(result.event, req)
        req.topic_key = first.receipt_no
        req.topic_label = mask_phones_in_text(first.description)[:LABEL_LENGTH]
        req.harm_categories = result.categories
        req.analysed_at = now
    fields = ["topic_key", "topic_label", "harm_categories", "analysed_at"]
    ServiceRequest.objects.bulk_update(rows, fields, batch_size=500)
    log.info("clustered %d e-station requests into %d topics", len(rows), len(first_of_event))
    # The sweep that catches any forwarding a lost task message missed.
    for req in rows:
        if not req.case_reference and (req.request_type.concerns_online_harm or req.harm_categories):
            _forward_quietly(req.pk)
    return len(rows)


def _forward_quietly(pk: int) -> None:
    """One hand-over that fails (it is released and retried next sweep) must not stop the rest."""
    try:
        forward_to_cases(pk)
    except Exception:
        log.exception("could not hand e-station request %s to the cases module", pk)
