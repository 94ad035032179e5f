"""Machine API for staff tools at /api/v1/eservice/: requests (personal data masked) and figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from qinglang.eservice import stats
from qinglang.eservice.models import ServiceRequest
from qinglang.eservice.privacy import mask_name, mask_phone
from qinglang.eservice.views import counted_requests, visible_requests

router = Router(tags=["e-stations"])
MAX_LIMIT = 500


class RequestOut(Schema):
    receipt_no: str
    channel: str
    request_type: str
    station: str
    handling_department: str | None
    status: str
    description: str
    place: str
    name_masked: str
    phone_masked: str
    created: datetime
    due_at: datetime
    closed_at: datetime | None
    rating: int | None
    topic_key: str


class StationFigures(Schema):
    station: str
    total: int
    open: int
    overdue: int
    rated: int
    satisfaction: int | None


def _out(req: ServiceRequest) -> dict[str, Any]:
    return {
        "receipt_no": req.receipt_no, "channel": req.channel, "request_type": req.request_type.code,
        "station": req.station.code,
        "handling_department": req.handling_department.code if req.handling_department else None,
        "status": req.status, "description": req.description, "place": req.place,
        "name_masked": mask_name(req.name), "phone_masked": mask_phone(req.phone), "created": req.created,
        "due_at": req.due_at, "closed_at": req.closed_at, "rating": req.rating, "topic_key": req.topic_key,
    }


@router.get("/requests", response=list[RequestOut])
def list_requests(request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    qs = visible_requests(request.user)
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, 2**62))   # a database integer holds the offset; past it, nothing
    return [_out(req) for req in qs[offset : offset + limit]]


@router.get("/requests/{receipt_no}", response=RequestOut)
def get_request(request: HttpRequest, receipt_no: str) -> dict[str, Any]:
    found = visible_requests(request.user).filter(receipt_no=receipt_no).first()
    if found is None:
        raise HttpError(404, "Not found")
    return _out(found)


@router.get("/stations/figures", response=list[StationFigures])
def station_figures(request: HttpRequest) -> list[dict[str, Any]]:
    return stats.per_station(counted_requests(request.user))
