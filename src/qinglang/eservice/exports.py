"""Excel export of requests, with names and phone numbers masked."""

from __future__ import annotations

from io import BytesIO

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]

from qinglang.eservice.models import ServiceRequest
from qinglang.eservice.privacy import mask_name, mask_phone, mask_phones_in_text

HEADERS = ["受理编号", "渠道", "类型", "e站", "承办单位", "状态", "受理时间", "办理时限", "诉求人", "电话", "地点",
           "诉求内容", "满意度"]
MAX_ROWS = 50_000


def _local(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[arg-type]


def _row(req: ServiceRequest) -> list[object]:
    return [req.receipt_no, req.get_channel_display(), req.request_type.name, req.station.name,
            req.handling_department.name if req.handling_department else "", req.get_status_display(),
            _local(req.created), _local(req.due_at), mask_name(req.name), mask_phone(req.phone), req.place,
            mask_phones_in_text(req.description), req.rating or ""]


def xlsx_response(qs: QuerySet[ServiceRequest]) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("诉求")
    sheet.append(HEADERS)
    for req in qs[:MAX_ROWS].iterator(chunk_size=1000):
        sheet.append(_row(req))
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="eservice-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
