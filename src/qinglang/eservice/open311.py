"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) so existing civic-reporting
clients can file and follow requests: services, service definitions, POST/GET requests, in
``.json`` and ``.xml``. Nothing personal leaves through it: no names, no phone numbers."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from qinglang.audit.models import AuditEntry
from qinglang.core.models import hash_token
from qinglang.eservice import services
from qinglang.eservice.models import OPEN_STATUSES, Channel, Open311Client, RequestType, ServiceRequest
from qinglang.eservice.privacy import mask_phones_in_text

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
# Attributes of a service definition, by request type flag. Only mediation asks for more.
MEDIATION_ATTRIBUTES = [
    {"variable": True, "code": "other_party", "datatype": "string", "required": False,
     "datatype_description": "对方当事人（姓名或单位）", "order": 1, "description": "纠纷对方是谁？"},
    {"variable": True, "code": "dispute_kind", "datatype": "singlevaluelist", "required": True,
     "datatype_description": "", "order": 2, "description": "纠纷类型",
     "values": [{"key": "neighbour", "name": "邻里纠纷"}, {"key": "family", "name": "家庭纠纷"},
                {"key": "consumer", "name": "消费纠纷"}, {"key": "other", "name": "其他"}]},
]


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def issue_client(name: str) -> tuple[Open311Client, str]:
    """A new API key for a client; shown once, only its hash is kept."""
    raw = "o311_" + secrets.token_urlsafe(24)
    client = Open311Client.objects.create(name=name, prefix=raw[:8], key_hash=hash_token(raw))
    return client, raw


def client_for(api_key: str) -> Open311Client:
    client = Open311Client.objects.filter(key_hash=hash_token(api_key), is_active=True).first() if api_key else None
    if client is None:
        raise Open311Error(403, "api_key 无效或缺失 (invalid or missing api_key)")
    return client


# --- rendering ----------------------------------------------------------------------------------

def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        item_tag = {"attributes": "attribute", "values": "value", "keywords": "keyword", "endpoints": "endpoint",
                    "formats": "format"}.get(key, "item")
        for item in value:
            _xml_item(child, item_tag, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _xml_item(parent: ET.Element, tag: str, item: Any) -> None:
    if isinstance(item, dict):
        element = ET.SubElement(parent, tag)
        for key, value in item.items():
            _xml_value(element, key, value)
    else:
        ET.SubElement(parent, tag).text = str(item)


def render(data: Any, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    element = ET.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        if root == item:
            for key, value in entry.items():
                _xml_value(element, key, value)
        else:
            _xml_item(element, item, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(error: Open311Error, fmt: str) -> HttpResponse:
    data = [{"code": error.code, "description": error.description}]
    return render(data, fmt, "errors", "error", status=error.code)


# --- discovery ----------------------------------------------------------------------------------

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
# The changeset before any request type was edited here: when this API was first published.
FIRST_CHANGESET = datetime(2026, 11, 29, tzinfo=UTC)


def changeset() -> str:
    """When the service list last changed (the latest audited edit of a request type), so that
    clients know to refresh the services they cache."""
    last = (AuditEntry.objects.filter(action__startswith="eservice.request_type.")
            .order_by("-seq").values_list("at", flat=True).first())
    return (last or FIRST_CHANGESET).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def discovery(base_url: str, stations_url: str) -> dict[str, Any]:
    """Service Discovery (https://wiki.open311.org/Service_Discovery) for ``base_url``, the
    absolute URL the GeoReport v2 resources hang from (``…/open311/v2``)."""
    when = changeset()
    return {
        "changeset": when,
        "contact": f"{settings.SITE_NAME}网信通服务e站：各e站的电话与地址见 {stations_url}",
        "key_service": "提交诉求（POST requests）需要 api_key，请联系网信办管理员签发 (ask the office for an api_key)",
        "endpoints": [{"specification": SPECIFICATION, "url": base_url, "changeset": when, "type": "production",
                       "formats": FORMATS}],
    }


# --- services -----------------------------------------------------------------------------------

def service_entry(rt: RequestType) -> dict[str, Any]:
    return {"service_code": rt.code, "service_name": rt.name, "description": rt.description,
            "metadata": rt.is_mediation, "type": "realtime", "keywords": "", "group": "网信通服务e站"}


def service_definition(code: str) -> dict[str, Any]:
    rt = services.ensure_request_types().filter(code=code).first()
    if rt is None:
        raise Open311Error(404, f"没有编码为 {code} 的服务 (no such service_code)")
    return {"service_code": rt.code, "attributes": MEDIATION_ATTRIBUTES if rt.is_mediation else []}


# --- requests -----------------------------------------------------------------------------------

def _float(params: QueryDict, key: str) -> float | None:
    raw = params.get(key, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Open311Error(400, f"{key} 不是数字 ({key} must be a number)") from None


def _location(params: QueryDict) -> tuple[float | None, float | None, str]:
    lat, lon = _float(params, "lat"), _float(params, "long")
    address = params.get("address_string", "").strip() or params.get("address_id", "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat 和 long 须同时提供 (lat and long go together)")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Open311Error(400, "坐标超出范围 (coordinates out of range)")
    if lat is None and not address:
        raise Open311Error(400, "需要位置：lat/long、address_string 或 address_id (a location is required)")
    return lat, lon, address


def _attributes(params: QueryDict, rt: RequestType) -> dict[str, str]:
    given = {key[len("attribute[") : -1]: params.get(key, "") for key in params if key.startswith("attribute[")}
    if rt.is_mediation:
        for spec in MEDIATION_ATTRIBUTES:
            code = str(spec["code"])
            if spec["required"] and not given.get(code):
                raise Open311Error(400, f"缺少必填属性 attribute[{code}] (required attribute missing)")
            allowed = {v["key"] for v in spec.get("values", [])}  # type: ignore[attr-defined]
            if allowed and given.get(code) and given[code] not in allowed:
                raise Open311Error(400, f"attribute[{code}] 取值无效 (invalid value)")
    return {key: value[:200] for key, value in given.items()}


def post_request(params: QueryDict, client_ip: str | None) -> list[dict[str, Any]]:
    client = client_for(params.get("api_key", ""))
    rt = services.ensure_request_types().filter(code=params.get("service_code", "")).first()
    if rt is None:
        raise Open311Error(400, "service_code 无效 (invalid service_code)")
    description = params.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description 不能为空 (description is required)")
    lat, lon, address = _location(params)
    name = f"{params.get('last_name', '')}{params.get('first_name', '')}".strip()
    attributes = _attributes(params, rt) | {"open311_client": client.name}
    for key in ("email", "device_id", "account_id"):
        if params.get(key):
            attributes[key] = params.get(key, "")[:200]
    raw = params.urlencode()
    intake = services.Intake(channel=Channel.OPEN311, description=description[:4000], request_type=rt,
                             place=address, latitude=lat, longitude=lon, name=name, phone=params.get("phone", ""),
                             media_url=params.get("media_url", ""), submitter_ip=client_ip, attributes=attributes,
                             raw=raw)
    req = services.create_request(intake)
    notice = f"已由{req.station.name}受理，{req.request_type.time_limit_days}个工作日内办理。"
    return [{"service_request_id": req.receipt_no, "service_notice": notice, "account_id": params.get("account_id")}]


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _private(req: ServiceRequest) -> bool:
    """Family and neighbour disputes and reports of online harm are nobody else's business:
    Open311 shows their status, not their content or place."""
    return req.request_type.is_mediation or req.request_type.concerns_online_harm


def request_entry(req: ServiceRequest) -> dict[str, Any]:
    department = req.handling_department or req.station
    entry = {
        "service_request_id": req.receipt_no,
        "status": "open" if req.status in OPEN_STATUSES else "closed",
        "status_notes": req.get_status_display() + (f"：{mask_phones_in_text(req.reply)}" if req.reply else ""),
        "service_name": req.request_type.name,
        "service_code": req.request_type.code,
        "description": mask_phones_in_text(req.description),
        "agency_responsible": department.name,
        "service_notice": "",
        "requested_datetime": _iso(req.created),
        "updated_datetime": _iso(req.updated),
        "expected_datetime": _iso(req.due_at),
        "address": req.place,
        "address_id": "",
        "zipcode": "",
        "lat": req.latitude,
        "long": req.longitude,
        "media_url": req.media_url,
    }
    if _private(req):
        entry |= {"status_notes": req.get_status_display(), "description": "", "address": "", "lat": None,
                  "long": None, "media_url": ""}
    return entry


def _date(params: QueryDict, key: str) -> datetime | None:
    raw = params.get(key, "").strip()
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        raise Open311Error(400, f"{key} 须为 W3C 日期时间 ({key} must be a W3C datetime)")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def find_requests(params: QueryDict) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.select_related("request_type", "station", "handling_department")
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return qs.filter(receipt_no__in=ids[:MAX_RESULTS])
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start:
        qs = qs.filter(created__gte=start)
    if end:
        qs = qs.filter(created__lte=end)
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(request_type__code__in=codes)
    status = params.get("status", "").strip()
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    elif status:
        raise Open311Error(400, "status 只能是 open 或 closed (status must be open or closed)")
    return qs.order_by("-created")


def request_entries(qs: Iterable[ServiceRequest]) -> list[dict[str, Any]]:
    return [request_entry(req) for req in list(qs)[:MAX_RESULTS]]
