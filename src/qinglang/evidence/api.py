"""Evidence over the machine API: list, read and request captures (scoped like the web pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from qinglang.evidence import netguard, services
from qinglang.evidence.models import Capture

router = Router(tags=["evidence"])


class CaptureIn(Schema):
    url: str = Field(max_length=2000)   # the column's length: past it PostgreSQL refuses the row
    reason: str
    case_reference: str = ""
    source: str = ""


class CaptureOut(Schema):
    public_id: str
    url: str
    status: str
    outcome: str
    reason: str
    case_reference: str
    department: str | None
    created: datetime
    finished: datetime | None
    final_url: str
    http_status: int | None
    package_sha256: str
    manifest_sha256: str
    timestamped_at: datetime | None
    change: str
    files: list[dict[str, Any]]

    @staticmethod
    def resolve_department(obj: Capture) -> str | None:
        return obj.department.name if obj.department else None


@router.get("/captures", response=list[CaptureOut])
def list_captures(request: HttpRequest, limit: int = 100) -> Any:
    return services.visible(request.user)[: max(1, min(limit, 500))]


@router.get("/captures/{public_id}", response=CaptureOut)
def get_capture(request: HttpRequest, public_id: str) -> Any:
    capture = get_object_or_404(services.visible(request.user), public_id=public_id)
    services.viewed(capture, request.user)
    return capture


@router.post("/captures", response={201: CaptureOut})
def create_capture(request: HttpRequest, payload: CaptureIn) -> Any:
    if not services.can_capture(request.user):
        raise HttpError(403, "无权发起取证")
    if not payload.reason.strip():
        raise HttpError(422, "请填写取证事由")
    try:
        capture = services.request_capture(
            request.user,
            payload.url,
            payload.reason.strip(),
            case_reference=payload.case_reference[:100],
            source=payload.source[:100],
        )
    except netguard.UrlRefused as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, capture)
