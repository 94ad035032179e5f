"""The monitor's machine API: push documents in, read events and documents out.

Mounted at the API root (``/api/v1/documents``, ``/api/v1/events``). The push endpoint parses
the body itself so that anything that is not the promised JSON (an HTML error page, a truncated
upload) gets a clear Chinese error and is kept for retry instead of a bare validation failure.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from qinglang.engine.normalize import clean_text
from qinglang.monitor.access import MONITOR_ROLES
from qinglang.monitor.filters import EventFilter, by_current_heat, filter_events
from qinglang.monitor.ingest import json_problem, keep_rejected, source_named, store_batch
from qinglang.monitor.models import Document, Event, live
from qinglang.org.models import Department
from qinglang.org.scoping import visible_to

ROUTER_PREFIX = "/"
router = Router(tags=["monitor"])
log = logging.getLogger(__name__)
MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


class ItemResult(Schema):
    index: int
    status: str
    id: int | None
    error: str


class PushOut(Schema):
    created: int
    duplicates: int
    errors: int
    results: list[ItemResult]


class EventOut(Schema):
    id: int
    label: str
    first_seen: datetime
    last_seen: datetime
    size: int
    sentiment: float
    negative_share: float
    risk_level: str
    risk_score: float
    risk_reasons: list[str]
    categories: list[str]
    entities: list[str]
    sources: dict[str, int]
    heat: float
    current_heat: float | None = None   # in lists: heat now, halved per day without documents
    kind: str
    kind_name: str
    # set when an analyst merged this event into another: its documents are that event's now
    merged_into: int | None = None

    @staticmethod
    def resolve_merged_into(obj: Event) -> int | None:
        return obj.merged_into_id


class DocumentOut(Schema):
    id: int
    source: str
    external_id: str
    url: str
    title: str
    text: str
    author: str
    published_at: datetime
    state: str
    event_id: int | None
    duplicate_of_id: int | None
    sentiment: float | None
    entities: list[dict[str, Any]]
    categories: list[str]
    risk_level: str
    risk_reasons: list[str]

    @staticmethod
    def resolve_source(obj: Document) -> str:
        return obj.source.name


class EventPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EventOut]


class DocumentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DocumentOut]


class Paging(Schema):
    page: int = 1
    page_size: int = 50


def _require_monitor_role(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_role(*MONITOR_ROLES):
        raise HttpError(403, "您的角色无权使用舆情监测接口")
    return user


def _page(queryset: QuerySet[Any], paging: Paging) -> dict[str, Any]:
    size = max(1, min(paging.page_size, MAX_PAGE_SIZE))
    page = max(1, min(paging.page, MAX_PAGE))   # past it the offset would not fit a database integer
    start = (page - 1) * size
    return {"count": queryset.count(), "page": page, "page_size": size, "items": list(queryset[start:start + size])}


def _parse_push(request: HttpRequest, user: Any) -> tuple[str, list[Any]]:
    raw = request.body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as error:   # JSONDecodeError, or a number past 4,300 digits
        where = f"第 {error.lineno} 行第 {error.colno} 列：" if isinstance(error, json.JSONDecodeError) else ""
        message = f"请求体不是有效的 JSON（{where}{json_problem(error)}）"
        keep_rejected(None, "api", raw[:1_000_000], message, user)
        raise HttpError(400, message) from None
    if isinstance(payload, list):
        payload = {"items": payload}
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        message = "请求体应为 {\"source\": \"来源名\", \"items\": [...]} 或文档数组"
        keep_rejected(None, "api", raw[:1_000_000], message, user)
        raise HttpError(400, message)
    return clean_text(str(payload.get("source") or f"api:{user.username}")), payload["items"]


_ITEM_SCHEMA = {
    "type": "object", "required": ["text"],
    "properties": {name: {"type": "string"} for name in ("id", "url", "title", "text", "author", "time")},
}
_PUSH_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["items"],
    "properties": {"source": {"type": "string"}, "items": {"type": "array", "items": _ITEM_SCHEMA}},
}}}}}


@router.post("/documents", response=PushOut, openapi_extra=_PUSH_BODY,
             summary="Push documents (batches up to MONITOR_BATCH_LIMIT)")
def push_documents(request: HttpRequest) -> dict[str, Any]:
    user = _require_monitor_role(request)
    source_name, items = _parse_push(request, user)
    limit = settings.MONITOR_BATCH_LIMIT
    if len(items) > limit:
        raise HttpError(413, f"一次最多提交 {limit} 条，本次 {len(items)} 条，请分批提交")
    source = source_named(source_name, department=user.department)
    if source.department_id and not visible_to(user, Department.objects.filter(pk=source.department_id),
                                               field=None).exists():
        raise HttpError(403, f"来源“{source_name}”属于其他部门，不能向其提交")
    outcomes = store_batch(source, items, channel="api", caller=user)
    if any(o.status == "created" for o in outcomes):
        transaction.on_commit(lambda: _queue_processing(source.partition))
    return {
        "created": sum(o.status == "created" for o in outcomes),
        "duplicates": sum(o.status == "duplicate" for o in outcomes),
        "errors": sum(o.status == "error" for o in outcomes),
        "results": [o.__dict__ for o in outcomes],
    }


def _queue_processing(partition: str) -> None:
    from qinglang.monitor import tasks

    tasks.enqueue(tasks.process_pending, partition)


@router.get("/events", response=EventPage, summary="Events, hottest now first, with the page's filters")
def list_events(request: HttpRequest, filters: Query[EventFilter], paging: Query[Paging]) -> dict[str, Any]:
    """Ordered as the events page orders them: by heat that halves each day without documents
    (``current_heat``; ``heat`` is the value at the last document)."""
    user = _require_monitor_role(request)
    events = filter_events(visible_to(user, live(Event.objects.all()), shared_field="shared_with"), filters)
    return _page(by_current_heat(events), paging)


@router.get("/events/{event_id}", response=EventOut)
def get_event(request: HttpRequest, event_id: int) -> Event:
    user = _require_monitor_role(request)
    event = visible_to(user, Event.objects.all(), shared_field="shared_with").filter(pk=event_id).first()
    if event is None:
        raise HttpError(404, "没有这个事件")
    return event


@router.get("/documents", response=DocumentPage, summary="Documents, optionally of one event (?event=ID)")
def list_documents(request: HttpRequest, paging: Query[Paging], event: int | None = None) -> dict[str, Any]:
    user = _require_monitor_role(request)
    docs = visible_to(user, Document.objects.select_related("source"))
    if event is not None:
        docs = docs.filter(event_id=event) if 0 < event < 2**63 else docs.none()
    return _page(docs.order_by("-published_at", "-pk"), paging)
